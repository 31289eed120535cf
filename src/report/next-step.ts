import { type OperationResult, type Origin, Outcome } from '../model';

/**
 * What a person does next, the last words of every phrase. A support ticket names the
 * operation, the resource and the ids of the call that showed it: the result carries all three
 * (`operationId`, `resourceId`, `clientTraceId`/`apiRequestId`), and support finds a call by its
 * request id (yandex.cloud/en/docs/search-api/api-ref/support-headers, "Send this ID to the
 * technical support team"; yandex.cloud/en/docs/support/overview: one ticket per issue).
 */
const Do = {
  RetryCreate: 'then retry the create',
  Check: 'check the resource',
  Support: 'if it stays, open a support ticket with these ids',
} as const;

/**
 * What state the resource is likely left in, and what to do: by kind (or its service, such as
 * `mdb`; `*` for any), then by method (Create, Update, Delete; `*` for any), then by outcome.
 *
 * Cancel's reference says only "Cancels the specified operation"
 * (yandex.cloud/en/docs/resource-manager/api-ref/grpc/Operation/cancel): no page says what a
 * cancelled method leaves behind, so every phrase after a Cancel is the safe reading, "check
 * the resource", and never "nothing was made".
 */
export const NEXT_STEPS = {
  '*': {
    // Terraform's provider records the new resource's id before it waits
    // (terraform-provider-yandex yandex/resource_yandex_compute_instance.go: d.SetId, then
    // op.Wait), so after a timeout the resource is in its state, tainted, and the next apply
    // deletes and creates it again: the retry. Whether the cancelled Create made it is unknown.
    Create: {
      cancelled: `may exist half-created: check it, delete it if so, ${Do.RetryCreate}`,
      cancelling: `being cancelled, may stay half-created: check it later, ${Do.RetryCreate}`,
    },
    Delete: {
      cancelled: `may be half-deleted: ${Do.Check}, then delete it again`,
      cancelling: `being cancelled, may stay half-deleted: ${Do.Check} later`,
    },
    '*': {
      cancelled: `may hold part of the change: ${Do.Check}`,
      cancelling: `being cancelled, may hold part of the change: ${Do.Check} later`,
      // A cancellable kind's method the API does not cancel (its proto does not mark it).
      stuck: `no call can end it: ${Do.Check}; ${Do.Support}`,
    },
  },
  // Big disks take long: 50 minutes for 100 GB (terraform-provider-yandex #87), and the API
  // cannot cancel a snapshot's Create (snapshot_service.proto marks no method).
  'compute.snapshot': {
    '*': { stuck: `may be slow, not stuck: check the snapshot; ${Do.Support}` },
  },
  // A group waits for what its latest log record (on the result) says, such as a quota.
  'compute.instanceGroup': {
    '*': { stuck: `waits on what latestLogRecord says: check it; ${Do.Support}` },
  },
  // Nothing public says how a managed cluster gets out of a stuck operation, and no API call
  // ends it: support is the one way left (the stuck MDB creates of ecosystem.md §5 ended there).
  mdb: { '*': { stuck: `the cluster is mid-change: check it; ${Do.Support}` } },
  k8s: { '*': { stuck: `the cluster is mid-change: check it; ${Do.Support}` } },
} as const;

type Step = { readonly [outcome: string]: string };
type Steps = { readonly [key: string]: { readonly [method: string]: Step } };

/** The outcomes that have a next step: the others leave nothing to do, or say what in `message`. */
const WITH_NEXT: ReadonlySet<string> = new Set([
  Outcome.Cancelled,
  Outcome.Cancelling,
  Outcome.Stuck,
]);

/**
 * The method, from the metadata's type (`…CreateInstanceMetadata`) or else the description's
 * first word (`Create instance`); `*` when neither starts with one the table tells apart.
 */
export function methodOf(result: Pick<OperationResult, 'metadataType' | 'description'>): string {
  // `metadataType` is a full message name: `yandex.cloud.compute.v1.CreateInstanceMetadata`.
  const name = result.metadataType?.split('.').pop();
  const word = /^(Create|Update|Delete)/i.exec(name ?? result.description ?? '')?.[1];
  return word ? `${word[0]?.toUpperCase()}${word.slice(1).toLowerCase()}` : '*';
}

/**
 * Where a sweep found it. An id a request named has no kind until its Get, and only a stuck
 * result, which a sweep always finds, has a row of its own kind: the rest are by method.
 */
const kindOf = (result: OperationResult, origin: Origin): string | undefined =>
  result.resourceKind ?? origin.resourceKind;

/** The phrase for an outcome, or undefined for one that leaves nothing to do. */
export function nextStep(result: OperationResult, origin: Origin): string | undefined {
  if (!WITH_NEXT.has(result.outcome)) return undefined;
  const table: Steps = NEXT_STEPS;
  const kind = kindOf(result, origin);
  const method = methodOf(result);
  for (const key of [kind, kind?.split('.')[0], '*']) {
    const row = key === undefined ? undefined : table[key];
    if (row === undefined) continue;
    const found = row[method]?.[result.outcome] ?? row['*']?.[result.outcome];
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The result with its next step, when its outcome has one. */
export function withNextStep(result: OperationResult, origin: Origin): OperationResult {
  const next = nextStep(result, origin);
  return next === undefined ? result : { ...result, next };
}
