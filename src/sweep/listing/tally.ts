import type { FilterName, KindTallies, KindTally, ResourceKind } from '../../model';

/** A kind's tally as the listings count it up. */
type Tally = { -readonly [K in keyof KindTally]: KindTally[K] };

const bump = <K extends string>(counts: Partial<Record<K, number>>, key: K) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** What one folder's listings counted on the way: in all, and by kind. */
export interface FolderTally {
  /** Resources listed, and operations listed on them, in all. */
  readonly resources: number;
  readonly operations: number;
  listedResources(count: number): void;
  /** A listing of a resource's operations began: its kind is tallied, whatever it lists. */
  listing(kind: ResourceKind): void;
  listedOperations(kind: ResourceKind, count: number): void;
  /** A listed operation that is stuck by its kind's threshold... */
  matched(kind: ResourceKind): void;
  /** ...that a filter left out... */
  filteredOut(kind: ResourceKind, filter: FilterName): void;
  /**
   * ...or that is kept, as a candidate or to report (or, under `learn`, until its threshold is
   * known), while fewer than `max` of its side are.
   */
  kept(side: 'candidates' | 'reported' | 'pending', max: number): boolean;
  /** A resource whose `canceller-older-than` label is malformed, ignored. */
  malformedLabel(kind: ResourceKind): void;
  /** A running operation a `never` label kept from being looked at. */
  protectedByLabel(kind: ResourceKind): void;
  /** A listing of the kind the API refused. */
  refused(kind: ResourceKind): void;
  /** One of the candidates or reported operations the folder's sweep found, by its kind. */
  found(kind: ResourceKind, side: 'candidates' | 'reported'): void;
  /** Matched operations a filter left out, by the filter, in all. */
  readonly filtered: Partial<Record<FilterName, number>>;
  /** Stuck operations past the bound: counted, not kept. */
  readonly unkept: number;
  byKind(): KindTallies;
}

export function folderTally(): FolderTally {
  const kinds = new Map<ResourceKind, Tally>();
  const filtered: Partial<Record<FilterName, number>> = {};
  const kept = { candidates: 0, reported: 0, pending: 0 };
  let resources = 0;
  let operations = 0;
  let unkept = 0;
  const of = (kind: ResourceKind) => {
    const tally = kinds.get(kind) ?? { operations: 0, matched: 0 };
    kinds.set(kind, tally);
    return tally;
  };
  return {
    get resources() {
      return resources;
    },
    get operations() {
      return operations;
    },
    get unkept() {
      return unkept;
    },
    filtered,
    listedResources(count) {
      resources += count;
    },
    listing(kind) {
      of(kind);
    },
    listedOperations(kind, count) {
      operations += count;
      of(kind).operations += count;
    },
    matched(kind) {
      of(kind).matched += 1;
    },
    filteredOut(kind, filter) {
      bump(filtered, filter);
      const tally = of(kind);
      tally.filteredOut = tally.filteredOut ?? {};
      bump(tally.filteredOut, filter);
    },
    kept(side, max) {
      if (kept[side] >= max) {
        unkept += 1;
        return false;
      }
      kept[side] += 1;
      return true;
    },
    refused: (kind) => bump(of(kind), 'refusedListings'),
    malformedLabel: (kind) => bump(of(kind), 'malformedLabels'),
    protectedByLabel: (kind) => bump(of(kind), 'protectedByLabel'),
    found: (kind, side) => bump(of(kind), side),
    byKind: () => Object.fromEntries(kinds) as KindTallies,
  };
}
