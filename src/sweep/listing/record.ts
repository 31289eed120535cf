import { statusOf } from '../../cloud/grpc-status';
import type { ResourceKind } from '../../model';
import { endsKind, ListingEnd } from './ending';
import { causeOf, failureOf, type SweepFailure } from './failure';
import type { Cut, Pages } from './pages';
import type { FolderTally } from './tally';

export interface SweepCut {
  readonly listing: string;
  readonly cut: Cut;
}

/** How one folder's listings ended: those that failed, those cut short, the kinds a refusal ended. */
export interface ListingRecord {
  readonly failures: readonly SweepFailure[];
  readonly cuts: readonly SweepCut[];
  /**
   * Resources of a kind whose refusal stands for them too, by kind: not asked, or asked and
   * refused alike before the kind's refusal came back.
   */
  readonly unasked: Partial<Record<ResourceKind, number>>;
  /** Whether a refusal ended the kind: its resources left are not asked, but counted unasked. */
  skips(kind: ResourceKind): boolean;
  /**
   * The work's items; a failure is recorded and gives none, and a cut is recorded. A refusal of
   * the kind's List, or one that holds for the whole kind (a role, an API), ends the kind here.
   */
  items<T>(
    listing: { readonly name: string; readonly kind: ResourceKind; readonly whole: boolean },
    work: () => Promise<Pages<T>>,
  ): Promise<T[]>;
}

export function listingRecord(tally: FolderTally): ListingRecord {
  const failures: SweepFailure[] = [];
  const cuts: SweepCut[] = [];
  const ended = new Set<ResourceKind>();
  const unasked: Partial<Record<ResourceKind, number>> = {};
  const leftUnasked = (kind: ResourceKind) => {
    unasked[kind] = (unasked[kind] ?? 0) + 1;
  };
  return {
    failures,
    cuts,
    unasked,
    skips(kind) {
      if (ended.has(kind)) leftUnasked(kind);
      return ended.has(kind);
    },
    async items({ name, kind, whole }, work) {
      try {
        const { items, cut } = await work();
        if (cut !== undefined) cuts.push({ listing: name, cut });
        return items;
      } catch (error) {
        const failure = { listing: name, kind, ...failureOf(error) };
        const refused = failure.end === ListingEnd.Refused;
        // One sent before the kind's refusal came back is told with it, as one left unasked.
        if (refused && ended.has(kind)) {
          leftUnasked(kind);
          return [];
        }
        failures.push(failure);
        if (refused) tally.refused(kind);
        if (refused && (whole || endsKind(statusOf(causeOf(error))))) ended.add(kind);
        return [];
      }
    },
  };
}
