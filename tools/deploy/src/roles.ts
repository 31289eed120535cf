import {
  CANCEL_ROLE,
  CANCELLABLE_KINDS,
  ConfigError,
  FOLDERS_ROLE,
  LISTING_ROLE,
  loadConfig,
  type ResourceKind,
} from '../../../deploy-api';
import { environmentLimits, fanOutReason, type Manifest, timerRequest } from './manifest';

/** Where a role is granted: a folder, a cloud, the function, or what deploy does not read. */
export type Scope =
  | { readonly kind: 'folder' | 'cloud'; readonly id: string }
  | { readonly kind: 'function' }
  | { readonly kind: 'elsewhere'; readonly text: string };

/** A role an account needs for what the manifest makes the function do, and why. */
export interface NeededRole {
  readonly account: string;
  readonly role: string;
  readonly on: Scope;
  readonly why: string;
}

export const Grant = {
  Granted: 'granted',
  /**
   * The bindings were read, and none gives the account the role or one known to include it (a
   * custom role that does is not known here).
   */
  Missing: 'missing',
  /** The bindings there could not be read, or deploy does not read them (a secret, a queue). */
  Unknown: 'unknown',
} as const;
export type Grant = (typeof Grant)[keyof typeof Grant];

export interface RoleCheck extends NeededRole {
  readonly grant: Grant;
}

/** A binding as deploy reads it: a role, given to a subject. */
export interface Binding {
  readonly roleId: string;
  readonly subject: { readonly id: string; readonly type: string };
}

/** The bindings deploy could read: its folder's, its cloud's, and the function's own. */
export interface ReadBindings {
  readonly folder?: { readonly id: string; readonly bindings: readonly Binding[] };
  readonly cloud?: { readonly id: string; readonly bindings: readonly Binding[] };
  readonly fn?: readonly Binding[];
}

const CANCELLABLE: ReadonlySet<string> = new Set(CANCELLABLE_KINDS);
/** The roles besides the listing and cancelling ones (docs/iam.md). */
const ROLE = {
  invoker: 'functions.functionInvoker',
  metrics: 'monitoring.editor',
  secrets: 'lockbox.payloadViewer',
  queueReader: 'ymq.reader',
  queueWriter: 'ymq.writer',
} as const;
const MESSAGE_QUEUE = (queueId: string) => `the folder or cloud of queue ${queueId}`;

/** The roles of one sweep a timer runs: to list its folders and kinds, and to cancel. */
function sweepRoles(account: string, payload: string, manifest: Manifest, dryRun: boolean) {
  const settings = environmentLimits(manifest.environment);
  const request = timerRequest(payload, settings);
  if (request === undefined) return [];
  if (request.kind !== 'sweep') return namedRoles(account, 'a timer');
  const { sweep } = request;
  const scopes: Scope[] =
    sweep.cloudId !== undefined
      ? [{ kind: 'cloud', id: sweep.cloudId }]
      : sweep.folderIds !== undefined
        ? sweep.folderIds.map((id) => ({ kind: 'folder' as const, id }))
        : sweep.folderId !== undefined
          ? [{ kind: 'folder', id: sweep.folderId }]
          : [{ kind: 'elsewhere', text: 'the folders of the resources the sweep names' }];
  const kinds: ResourceKind[] = [
    ...new Set([...sweep.kinds, ...sweep.resources.map((r) => r.kind)]),
  ];
  const cancelled = dryRun || request.dryRun ? [] : kinds.filter((kind) => CANCELLABLE.has(kind));
  const needed: NeededRole[] = scopes.flatMap((on) => [
    ...byRole(kinds, (kind) => LISTING_ROLE[kind]).map(([role, of]) => ({
      account,
      role,
      on,
      why: `to list ${of.join(', ')}`,
    })),
    ...byRole(cancelled, (kind) => CANCEL_ROLE[kind as keyof typeof CANCEL_ROLE]).map(
      ([role, of]) => ({ account, role, on, why: `to cancel operations of ${of.join(', ')}` }),
    ),
  ]);
  const wide = fanOutReason(sweep, settings) !== undefined;
  return [
    ...needed,
    ...(sweep.cloudId !== undefined
      ? [
          {
            account,
            role: FOLDERS_ROLE,
            on: scopes[0] as Scope,
            why: "to list the cloud's folders",
          },
        ]
      : []),
    ...(wide
      ? [
          {
            account,
            role: ROLE.invoker,
            on: { kind: 'function' } as const,
            why: 'to hand folders on to itself',
          },
        ]
      : []),
  ];
}

/** DRY_RUN as the function reads it; one it would not start with asks the roles of a real run. */
function dryRunOf(environment: Record<string, string>): boolean {
  try {
    return loadConfig({ DRY_RUN: environment.DRY_RUN }).dryRun;
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
}

/** The kinds under each role they need, in the order the roles first come. */
function byRole(kinds: readonly ResourceKind[], roleOf: (kind: ResourceKind) => string) {
  const roles = new Map<string, ResourceKind[]>();
  for (const kind of kinds) roles.set(roleOf(kind), [...(roles.get(roleOf(kind)) ?? []), kind]);
  return [...roles];
}

/** Ids a request names may be operations of any kind the API can cancel. */
function namedRoles(account: string, source: string): NeededRole[] {
  return [...new Set(Object.values(CANCEL_ROLE))].map((role) => ({
    account,
    role,
    on: { kind: 'elsewhere', text: 'the folders of the operations it is asked about' },
    why: `to cancel the operations ${source} names, of whichever kinds they are`,
  }));
}

/**
 * The roles what the manifest makes the function do calls for (docs/iam.md): the function's
 * service account's to list and cancel (by each timer's payload, or for any kind a queue's
 * messages may name), to list a cloud's folders, to hand folders on, to write metrics and to
 * read its secrets; and the other accounts' to invoke the function and use its queues.
 */
export function neededRoles(manifest: Manifest): NeededRole[] {
  return joinedByGrant([
    ...ownRoles(manifest),
    ...invokerRoles(manifest),
    ...queueRoles(manifest),
    ...asyncRoles(manifest),
  ]);
}

/** The function's service account's: to list and cancel, to write metrics, to read secrets. */
function ownRoles(manifest: Manifest): NeededRole[] {
  const account = manifest.serviceAccountId;
  const dryRun = dryRunOf(manifest.environment);
  const fnRoles: NeededRole[] = manifest.triggers.flatMap((trigger) => {
    if (trigger.type === 'message-queue') return namedRoles(account, `queue ${trigger.name}`);
    return trigger.payload === undefined
      ? []
      : sweepRoles(account, trigger.payload, manifest, dryRun);
  });
  const metrics = manifest.environment.METRICS_FOLDER_ID;
  return [
    ...fnRoles,
    ...(metrics
      ? [
          {
            account,
            role: ROLE.metrics,
            on: { kind: 'folder', id: metrics } as const,
            why: 'to write metrics',
          },
        ]
      : []),
    ...manifest.secrets.map((secret) => ({
      account,
      role: ROLE.secrets,
      on: { kind: 'elsewhere', text: `secret ${secret.id}` } as const,
      why: `to read ${secret.environmentVariable}`,
    })),
  ];
}

/** Each trigger's account's, to invoke the function. */
function invokerRoles(manifest: Manifest): NeededRole[] {
  return manifest.triggers.map((trigger) => ({
    account: trigger.serviceAccountId,
    role: ROLE.invoker,
    on: { kind: 'function' } as const,
    why: `to invoke the function for trigger ${trigger.name}`,
  }));
}

/** The triggers' queue accounts': to read a queue's messages, and to write a timer's dead letters. */
function queueRoles(manifest: Manifest): NeededRole[] {
  return manifest.triggers.flatMap((trigger): NeededRole[] => [
    ...(trigger.type === 'message-queue'
      ? [
          {
            account: trigger.queueServiceAccountId,
            role: ROLE.queueReader,
            on: { kind: 'elsewhere', text: MESSAGE_QUEUE(trigger.queueId) } as const,
            why: `to read queue ${trigger.name}'s messages`,
          },
        ]
      : []),
    ...(trigger.type === 'timer' && trigger.deadLetterQueue
      ? [
          {
            account: trigger.deadLetterQueue.serviceAccountId,
            role: ROLE.queueWriter,
            on: {
              kind: 'elsewhere',
              text: MESSAGE_QUEUE(trigger.deadLetterQueue.queueId),
            } as const,
            why: `to write trigger ${trigger.name}'s dead letters`,
          },
        ]
      : []),
  ]);
}

/** Asynchronous invocation's accounts': to run the calls, and to write their results. */
function asyncRoles(manifest: Manifest): NeededRole[] {
  const async = manifest.asyncInvocation;
  if (!async) return [];
  return [
    {
      account: async.serviceAccountId,
      role: ROLE.invoker,
      on: { kind: 'function' },
      why: 'to run the asynchronous calls of the function',
    },
    ...[async.successTarget, async.failureTarget].flatMap((target) =>
      target
        ? [
            {
              account: target.serviceAccountId,
              role: ROLE.queueWriter,
              on: { kind: 'elsewhere', text: MESSAGE_QUEUE(target.queueId) } as const,
              why: 'to write the results of asynchronous calls',
            },
          ]
        : [],
    ),
  ];
}

/** One line per account, role and place: the reasons of the same grant are joined. */
function joinedByGrant(all: readonly NeededRole[]): NeededRole[] {
  const byGrant = new Map<string, NeededRole>();
  for (const role of all) {
    const key = JSON.stringify([role.account, role.role, role.on]);
    const seen = byGrant.get(key);
    if (seen === undefined) byGrant.set(key, role);
    else if (!seen.why.includes(role.why))
      byGrant.set(key, { ...seen, why: `${seen.why}; ${role.why}` });
  }
  return [...byGrant.values()];
}

/** Roles that hold every permission in their resource and below it. */
const OWNERS: ReadonlySet<string> = new Set([
  'admin',
  'resource-manager.clouds.owner',
  'organization-manager.organizations.owner',
]);

/** Every role a sweep lists with: the kinds', and a cloud's folders'. */
const LISTING: readonly string[] = [...new Set(Object.values(LISTING_ROLE)), FOLDERS_ROLE];
/** The roles deploy may find needed that read, as the primitive `auditor` and `viewer` do... */
const AUDITING = LISTING.filter((role) => role.endsWith('.auditor'));
/** ...and those that manage, as the primitive `editor` does. */
const MANAGING: readonly string[] = [
  ...new Set(Object.values(CANCEL_ROLE)),
  ROLE.metrics,
  ROLE.invoker,
  ROLE.queueReader,
  ROLE.queueWriter,
];

/**
 * Which roles a role includes, as the role reference says (`en/_roles/<service>/<role>.md`: "This
 * role includes the `…` permissions"), for the roles deploy may find needed; read transitively.
 * The primitive roles name no service role: `auditor` reads, `viewer` reads, and `editor` manages
 * "any Yandex Cloud resources" except roles and keys, so they stand for the service roles of that
 * kind. Reading secrets' contents is not said of `editor`, so `lockbox.payloadViewer` is left out.
 * Functions' editor and admin invoke (functions/security/index.md), as the legacy invoker did.
 */
const INCLUDES: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries({
    editor: ['viewer', ...MANAGING],
    viewer: ['auditor', ...LISTING],
    auditor: AUDITING,
    'compute.admin': ['compute.editor'],
    'compute.editor': ['compute.viewer', 'vpc.user'],
    'compute.viewer': ['compute.auditor'],
    'vpc.admin': ['vpc.privateAdmin', 'vpc.publicAdmin', 'vpc.securityGroups.admin'],
    'vpc.privateAdmin': ['vpc.viewer'],
    'vpc.publicAdmin': ['vpc.viewer'],
    'vpc.securityGroups.admin': ['vpc.viewer'],
    'vpc.securityGroups.user': ['vpc.viewer'],
    'vpc.bridgeAdmin': ['vpc.viewer'],
    'vpc.user': ['vpc.viewer'],
    'vpc.viewer': ['vpc.auditor'],
    'cic.admin': ['cic.editor'],
    'cic.editor': ['cic.viewer'],
    'cic.viewer': ['cic.auditor'],
    'cloud-router.admin': ['cloud-router.editor'],
    'cloud-router.editor': ['cloud-router.viewer'],
    'cloud-router.viewer': ['cloud-router.auditor'],
    'k8s.admin': ['k8s.editor'],
    'k8s.editor': ['k8s.viewer'],
    'mdb.admin': ['mdb.viewer', 'vpc.user'],
    'mdb.viewer': ['mdb.auditor'],
    'resource-manager.admin': ['resource-manager.editor'],
    'resource-manager.editor': ['resource-manager.viewer'],
    'resource-manager.viewer': ['resource-manager.auditor'],
    'monitoring.admin': [ROLE.metrics],
    'lockbox.admin': [ROLE.secrets],
    'ymq.admin': [ROLE.queueReader, ROLE.queueWriter],
    'functions.admin': ['functions.editor'],
    'functions.editor': [ROLE.invoker],
    'serverless.functions.invoker': [ROLE.invoker],
  }),
);

/** Whether `held` gives `role`: it is the role, an owner's, or includes it (`INCLUDES`). */
export function includes(held: string, role: string): boolean {
  if (held === role || OWNERS.has(held)) return true;
  const seen = new Set<string>();
  const pending = [held];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const included of INCLUDES.get(next) ?? []) {
      if (included === role) return true;
      if (!seen.has(included)) {
        seen.add(included);
        pending.push(included);
      }
    }
  }
  return false;
}

/** Marks each needed role by the bindings deploy read: granted, missing, or unknown. */
export function checkRoles(needed: readonly NeededRole[], read: ReadBindings): RoleCheck[] {
  return needed.map((need) => {
    const sources = bindingsFor(need.on, read);
    if (sources === undefined) return { ...need, grant: Grant.Unknown };
    const held = sources.filter(
      (b) => b.subject.type === 'serviceAccount' && b.subject.id === need.account,
    );
    const granted = held.some((b) => includes(b.roleId, need.role));
    return { ...need, grant: granted ? Grant.Granted : Grant.Missing };
  });
}

/**
 * Every binding that would give a role on `on`, inherited ones too; undefined when some of them
 * could not be read, or deploy does not read them.
 */
function bindingsFor(on: Scope, read: ReadBindings): readonly Binding[] | undefined {
  const { folder, cloud, fn } = read;
  switch (on.kind) {
    case 'elsewhere':
      return undefined;
    case 'cloud':
      return cloud?.id === on.id ? cloud.bindings : undefined;
    case 'folder':
      return folder?.id === on.id && cloud ? [...folder.bindings, ...cloud.bindings] : undefined;
    case 'function':
      return fn && folder && cloud ? [...fn, ...folder.bindings, ...cloud.bindings] : undefined;
  }
}

/** `on folder b1g…`, `on the function`, or where deploy does not look. */
export function scopeText(on: Scope): string {
  return on.kind === 'elsewhere'
    ? `on ${on.text}`
    : on.kind === 'function'
      ? 'on the function'
      : `on ${on.kind} ${on.id}`;
}
