// The words every stage shares: what a request asks, what was selected, what happened, and what
// the invocation reports. Types and constants only, so every module may import it.
import type { RequestError } from './errors';
import type { RequestIds } from './request-ids';

export type { RequestIds };

/** What happened to one named operation. Users' log queries and dashboards key on these strings. */
export const Outcome = {
  Cancelled: 'cancelled',
  Cancelling: 'cancelling',
  AlreadyDone: 'already_done',
  NotFound: 'not_found',
  NotCancellable: 'not_cancellable',
  Denied: 'denied',
  Invalid: 'invalid',
  Skipped: 'skipped',
  Failed: 'failed',
  /** Found by a sweep running too long on a resource whose operations the API cannot cancel. */
  Stuck: 'stuck',
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** Why an operation was not cancelled although it may be running. */
export const Reason = {
  DryRun: 'dry_run',
  TooYoung: 'too_young',
  /** The invocation's time budget ran out before the operation's calls could finish. */
  Deadline: 'deadline',
  /** A call timed out on every attempt (CALL_TIMEOUT_MS) while the budget still had time. */
  CallTimeout: 'call_timeout',
  /**
   * A sweep candidate past `MAX_CANCELS_PER_RUN` (or the sweep's lower `maxCancelsTotal`) under
   * `onExcess: "oldest"`, or under a cap of 0: younger ones wait.
   */
  OverLimit: 'over_limit',
  /** Started by a method whose operation the API cannot cancel (its proto does not mark it). */
  MethodNotCancellable: 'method_not_cancellable',
  /** Past `MAX_CANCELS_PER_INVOCATION`: the invocation (or its share of a fan-out) sent its last Cancel. */
  OverInvocationLimit: 'over_invocation_limit',
  /** Its resource is in a folder ALLOWED_FOLDERS and ALLOWED_CLOUDS do not reach, or unreadable. */
  OutsidePolicy: 'outside_policy',
  /** The API answered RESOURCE_EXHAUSTED for the folder's quota on active operations. */
  ActiveOperationsQuota: 'active_operations_quota',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** How the function was invoked. */
export const Source = {
  Http: 'http',
  Timer: 'timer',
  Queue: 'queue',
  Raw: 'raw',
  /** A folder sweep one of this function's own sweeps handed on, as an asynchronous call. */
  FanOut: 'fan-out',
} as const;
export type Source = (typeof Source)[keyof typeof Source];

/** The API documents ids only as Latin letters and digits; observed ones are 20 lowercase characters. */
export const OPERATION_ID_PATTERN = /^[a-z0-9]{1,50}$/;

/** The platform refuses request and response JSON over 3.5 MB. */
export const MAX_BODY_BYTES = 3.5 * 1024 * 1024;

/** The resources whose operations a sweep lists and cancels: the API marks these cancellable. */
export const CANCELLABLE_KINDS = [
  'compute.instance',
  'compute.disk',
  'compute.image',
  'vpc.network',
  'vpc.subnet',
  'vpc.routeTable',
  'vpc.securityGroup',
  'compute.reservedInstancePool',
  'cic.privateConnection',
  'cic.trunkConnection',
  'cloudrouter.routingInstance',
] as const;

/**
 * The resources whose operations a sweep lists and only reports: their services have no Cancel
 * for them, so a stuck one needs a person (or support), and the log line is what they start from.
 */
export const REPORTED_KINDS = [
  'k8s.cluster',
  'k8s.nodeGroup',
  'compute.instanceGroup',
  'mdb.postgresql',
  'mdb.mysql',
  'mdb.clickhouse',
  'mdb.redis',
  'mdb.mongodb',
  'mdb.kafka',
  // A disk snapshot: the proto marks none of its methods cancellable, Create included.
  'compute.snapshot',
] as const;

/** Every kind a sweep may name; with none named, a folder sweep lists them all. */
export const RESOURCE_KINDS = [...CANCELLABLE_KINDS, ...REPORTED_KINDS] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];
export type ReportedKind = (typeof REPORTED_KINDS)[number];

export interface ResourceRef {
  readonly kind: ResourceKind;
  readonly id: string;
}

/** Where a request came from, carried into every log line about it. */
export interface Origin {
  readonly source: Source;
  readonly triggerId?: string;
  readonly queueId?: string;
  readonly messageId?: string;
  /** The fan-out a swept operation belongs to, so one query shows a whole cloud sweep. */
  readonly sweepId?: string;
  /** Where a sweep found the operation. */
  readonly resourceKind?: string;
  readonly resourceId?: string;
}

/** A name from a request: a well-formed id the API may be asked about, or text that is not one. */
export type NamedOperation =
  | { readonly valid: true; readonly id: string }
  | { readonly valid: false; readonly text: string };

/** What a request may ask on top of the function's settings; it can only make them stricter. */
export interface Guards {
  readonly dryRun: boolean;
  /** An operation younger than this is left alone; one with no creation time counts as young. */
  readonly minAgeSeconds: number;
}

/**
 * The Cancels an invocation may still send (MAX_CANCELS_PER_INVOCATION): one count for every
 * request of the invocation, named ids and sweep candidates alike.
 */
export interface CancelPermits {
  /** Takes one for a Cancel about to be sent; false when none is left. */
  take(): boolean;
  /** Sets `count` aside for hand-offs, which carry them as their own cap; what could be given. */
  give(count: number): number;
  readonly left: () => number;
}

/** A folder label a sweep leaves alone: `key` with any value, or `key=value`. */
export interface LabelMatch {
  readonly key: string;
  readonly value?: string;
}

/** Folders a sweep of a cloud or of several folders leaves out. */
export interface SweepExclusion {
  readonly folderIds: readonly string[];
  /** Folders listed from a cloud that carry any of these labels. */
  readonly labels: readonly LabelMatch[];
}

/** Text an operation's description is matched with: a substring, any case, or an RE2 pattern. */
export type TextMatch = { readonly contains: string } | { readonly regex: string };

/** An allow list (empty: anything) and a deny list (it wins). */
export interface IncludeExclude<T> {
  readonly include: readonly T[];
  readonly exclude: readonly T[];
}

/** What a sweep may touch: each operation is checked by these, in this order. */
export const FilterName = {
  /** The labels of the resource the operation runs on. */
  Labels: 'labels',
  /** The user or service account that started the operation. */
  CreatedBy: 'createdBy',
  Description: 'description',
} as const;
export type FilterName = (typeof FilterName)[keyof typeof FilterName];

export interface SweepFilters {
  readonly labels: IncludeExclude<LabelMatch>;
  readonly createdBy: IncludeExclude<string>;
  readonly description: IncludeExclude<TextMatch>;
}

/** What the blast-radius guard does with more candidates than `MAX_CANCELS_PER_RUN`. */
export const OnExcess = {
  /** Cancel none of them: a mass of stuck operations usually means something else is wrong. */
  Refuse: 'refuse',
  /** Cancel the oldest `MAX_CANCELS_PER_RUN`, and report the rest `skipped` `over_limit`. */
  Oldest: 'oldest',
} as const;
export type OnExcess = (typeof OnExcess)[keyof typeof OnExcess];

/**
 * `learn`: a running operation is stuck once it has run `factor` times the median duration of
 * the done operations of its kind and description the same sweep listed, never under
 * `floorSeconds`; with fewer than `minSamples` of them, its kind's `olderThan` applies.
 */
export interface LearnSpec {
  readonly factor: number;
  readonly floorSeconds: number;
  readonly minSamples: number;
}

/** The label by which a resource sets the threshold of its own operations: a duration, or `never`. */
export const OVERRIDE_LABEL = 'canceller-older-than';

/**
 * What a sweep compared a running operation's age with, and where that number came from: its
 * kind's `olderThan` (with, under `learn`, the samples that were too few), the durations it
 * learnt, or its resource's label (raised to MIN_OLDER_THAN when below it).
 */
export type ThresholdUsed =
  | { readonly source: 'fixed'; readonly seconds: number; readonly samples?: number }
  | {
      readonly source: 'learnt';
      readonly seconds: number;
      readonly samples: number;
      readonly medianSeconds: number;
    }
  | {
      readonly source: 'label';
      readonly seconds: number;
      readonly value: string;
      readonly raisedBy?: 'MIN_OLDER_THAN';
    };

/** What a sweep learnt of one kind and description: the usual duration, and the threshold it made. */
export interface LearntDuration {
  readonly kind: ResourceKind;
  readonly description: string;
  readonly samples: number;
  readonly medianSeconds: number;
  readonly thresholdSeconds: number;
}

/** Learnt durations a summary, a line or a message names, those of the most samples first. */
export const LEARNT_NAMED = 20;

/** Where to look for stuck operations, how old they must be, and which ones may be touched. */
export interface SweepSpec {
  /** Every folder of this cloud, or these folders, each swept as `folderId` is... */
  readonly cloudId?: string;
  readonly folderIds?: readonly string[];
  readonly exclude?: SweepExclusion;
  /** List every resource of `kinds` in this folder... */
  readonly folderId?: string;
  readonly kinds: readonly ResourceKind[];
  /** ...and, or only, these resources. */
  readonly resources: readonly ResourceRef[];
  /** How long an operation on each kind of resource must have run to count as stuck. */
  readonly olderThanSeconds: Readonly<Record<ResourceKind, number>>;
  /** Also require that the operation has not changed for this long. */
  readonly notModifiedForSeconds?: number;
  /** Thresholds learnt from the done operations listed; without it, `olderThanSeconds` alone. */
  readonly learn?: LearnSpec;
  readonly filters: SweepFilters;
  readonly onExcess: OnExcess;
  /**
   * The Cancels the whole sweep may send (default MAX_CANCELS_PER_RUN): the blast-radius guard's
   * limit for it, never above MAX_CANCELS_PER_RUN in any one invocation; a fan-out splits it.
   */
  readonly maxCancelsTotal?: number;
}

/** What every channel's event becomes: operations named by id, or a sweep that finds them. */
export type CancelRequest = Guards &
  (
    | { readonly kind: 'ids'; readonly operations: readonly NamedOperation[] }
    | { readonly kind: 'sweep'; readonly sweep: SweepSpec }
  );

/** One request found in an event: parsed, or refused with the reason. */
export type Job =
  | { readonly origin: Origin; readonly request: CancelRequest }
  | { readonly origin: Origin; readonly error: RequestError }
  /**
   * A message of a batch past the invocation's bound, unread: handed on to an invocation of its
   * own, since the platform deletes a batch it answered whole.
   */
  | { readonly origin: Origin; readonly deferred: unknown };

/** One operation to take through the pipeline, with the guards that apply to it. */
export interface Target extends Guards {
  readonly named: NamedOperation;
  readonly origin: Origin;
  /** When a sweep's listing says the operation was created: what `onExcess: "oldest"` goes by. */
  readonly createdAtMs?: number;
  /** The folder a sweep found it in: where a Cancel that meets the active-operations quota met it. */
  readonly folderId?: string;
  /** What a sweep found it stuck by: its result and line say so. */
  readonly threshold?: ThresholdUsed;
  /** The other requests that named it (or sweeps that found it): their lines report it too. */
  readonly alsoFor?: readonly Origin[];
}

/** One named operation's result: a reply entry and, with the invocation's fields, a log line. */
export interface OperationResult extends Partial<RequestIds> {
  readonly operationId: string;
  readonly outcome: Outcome;
  readonly reason?: string;
  readonly code?: string;
  readonly message?: string;
  readonly retryable?: boolean;
  readonly attempts: number;
  readonly durationMs: number;
  readonly description?: string;
  readonly createdAt?: string;
  readonly createdBy?: string;
  /** Its metadata's type, which names the method that started it. */
  readonly metadataType?: string;
  /**
   * `unknown` when a Cancel was sent though that type could not tell whether the API cancels its
   * method (it has none, or src/cancellable.ts lacks it): a refusal then is no surprise.
   */
  readonly cancellability?: 'unknown';
  /** How long a `stuck` operation had run when the sweep listed it. */
  readonly ageSeconds?: number;
  /** What a sweep compared its age with, for an operation a sweep found. */
  readonly threshold?: ThresholdUsed;
  /** Where a sweep found a `stuck` operation: the reply carries it, as the log line does. */
  readonly resourceKind?: ResourceKind;
  readonly resourceId?: string;
  /** A stuck instance group's latest log entry (`ListLogRecords`): what the group waits for. */
  readonly latestLogRecord?: { readonly timestamp?: string; readonly message: string };
  /**
   * On `cancelled`, `cancelling` and `stuck`: what state the resource is likely left in and what
   * a person does next (src/report/next-step.ts).
   */
  readonly next?: string;
}

/** What the sweeps of an invocation saw of one kind of resource, and what came of it. */
export interface KindTally {
  /** Operations listed on the kind's resources. */
  readonly operations: number;
  /** Of those, running longer than the kind's threshold. */
  readonly matched: number;
  /** Matched, and left out by a filter: by the first one that left each out. */
  readonly filteredOut?: Partial<Record<FilterName, number>>;
  /** Matched and not filtered out: to cancel, on a cancellable kind... */
  readonly candidates?: number;
  /** ...or to report, on a report-only kind. */
  readonly reported?: number;
  /** Candidates cancelled (or being cancelled) by this invocation... */
  readonly cancelled?: number;
  /** ...or that a dry run would have cancelled... */
  readonly wouldCancel?: number;
  /** ...or left past `MAX_CANCELS_PER_RUN` under `onExcess: "oldest"`. */
  readonly overLimit?: number;
  /** Listings of the kind the API refused for good, such as for a role not granted. */
  readonly refusedListings?: number;
  /** Resources whose `canceller-older-than` label is neither a duration nor `never`: ignored. */
  readonly malformedLabels?: number;
  /** Running operations a `canceller-older-than=never` label kept from being looked at. */
  readonly protectedByLabel?: number;
}
export type KindTallies = Partial<Record<ResourceKind, KindTally>>;

/**
 * Compute Cloud's quota on a folder's concurrent operations, as its docs give it: "Number of
 * concurrent operations per folder | 15" (https://yandex.cloud/en/docs/compute/concepts/limits,
 * source yandex-cloud/docs en/_includes/compute-limits.md). A quota, so a cloud may have had it
 * raised; the docs do not say which services' operations count toward it.
 */
export const ACTIVE_OPERATIONS_QUOTA = {
  name: 'active operations per folder',
  documented: 15,
  docs: 'https://yandex.cloud/en/docs/compute/concepts/limits',
  /** What a line and a message say of it. */
  said: "the folder is at its quota of active operations (Compute Cloud's is 15 per folder by default: https://yandex.cloud/en/docs/compute/concepts/limits); the API refuses new operations there until running ones end or are cancelled",
} as const;

/** The oldest running operations of a folder that a quota message names. */
export const OLDEST_RUNNING_NAMED = 5;

/** An operation a folder's sweep listed as running (not done): what holds the quota. */
export interface RunningOperation {
  readonly operationId: string;
  readonly description?: string;
  readonly ageSeconds?: number;
  readonly resourceKind: ResourceKind;
  readonly resourceId: string;
}

/** What one folder's sweep saw running: the count, and the oldest OLDEST_RUNNING_NAMED. */
export interface FolderActivity {
  readonly folderId: string;
  readonly running: number;
  readonly oldestRunning: readonly RunningOperation[];
  /** A listing of the folder was answered RESOURCE_EXHAUSTED for the active-operations quota. */
  readonly quotaHit: boolean;
}

/** Where a call met the active-operations quota, and what was running there to hold it. */
export interface QuotaHit {
  /** Absent when no sweep of this invocation listed the folder (a Cancel of a named id). */
  readonly folderId?: string;
  readonly running?: number;
  readonly oldestRunning: readonly RunningOperation[];
}

/** Folders not handed on that a summary names; its count covers the rest. */
export const FOLDERS_NAMED = 10;

/** How many folders a wide sweep could not hand on, and the first FOLDERS_NAMED of them. */
export interface FoldersNotHandedOn {
  readonly count: number;
  readonly folderIds: readonly string[];
}

/**
 * How a sweep that fanned out split its `maxCancelsTotal`: in the order its folders were handed
 * on, the first `oneMore` take `each + 1` and the others `each`, as their own cap.
 */
export interface CancelSplit {
  readonly maxCancelsTotal: number;
  readonly folders: number;
  readonly each: number;
  readonly oneMore: number;
  /** The first FOLDERS_NAMED of those that take one more. */
  readonly oneMoreFolderIds?: readonly string[];
  /** The share of the resources the sweep names, which the invocation that split it sweeps. */
  readonly kept?: number;
}

/** A candidate the blast-radius guard refused, as the refusal names it. */
export interface RefusedCandidate {
  readonly operationId: string;
  readonly ageSeconds?: number;
  readonly resourceKind?: ResourceKind;
  readonly resourceId?: string;
}

export interface SweepSummary {
  /** Distinct operations the sweeps found stuck that no other request of the invocation named. */
  readonly candidates: number;
  readonly refused: boolean;
  /** The oldest of them, when refused: what a dry run looks at before raising the limit. */
  readonly refusedCandidates?: readonly RefusedCandidate[];
  readonly failedListings: number;
  /**
   * Listings the API refused for good (a role not granted, an API not served): each told with a
   * WARN line, none a reason to deliver the invocation again.
   */
  readonly refusedListings?: number;
  /** The roles those refused for a role ask for (PERMISSION_DENIED), each once (docs/iam.md). */
  readonly missingRoles?: readonly string[];
  /** Folders handed on to invocations of their own. */
  readonly handedOn?: number;
  /**
   * Folders whose hand-off failed for good (their ids, the first 10): reported, and left for the
   * sweep's next run, since a redelivery would hand every folder on again.
   */
  readonly notHandedOn?: FoldersNotHandedOn;
  /** How each sweep that fanned out split its `maxCancelsTotal` among the folders it handed on. */
  readonly cancelSplits?: readonly CancelSplit[];
  /** By kind: what was listed, matched, filtered out, and cancelled or would be. */
  readonly kinds?: KindTallies;
  /** Under `learn`: the thresholds learnt, by kind and description (LEARNT_NAMED at most). */
  readonly learnt?: readonly LearntDuration[];
  /** By folder swept here: the operations listed there that are running (not done). */
  readonly running?: Readonly<Record<string, number>>;
}

export interface Summary {
  readonly operations: number;
  readonly outcomes: Partial<Record<Outcome, number>>;
  readonly rejectedRequests: number;
  readonly durationMs: number;
  /** What the sweeps of this invocation found, when there were any. */
  readonly sweep?: SweepSummary;
  /**
   * Where a call answered RESOURCE_EXHAUSTED for ACTIVE_OPERATIONS_QUOTA, a listing's or a
   * Cancel's (FOLDERS_NAMED at most), with what was running there.
   */
  readonly activeOperationsQuota?: readonly QuotaHit[];
}

/** Everything an invocation did, for the channel to shape its reply from. */
export interface Report {
  readonly results: readonly OperationResult[];
  readonly summary: Summary;
  /**
   * Why each request the invocation refused once its event was read was refused: one that did
   * not parse, in a batch, or a sweep the sweep could not run (its pattern is not RE2's).
   */
  readonly rejections?: readonly string[];
}
