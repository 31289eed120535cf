import type { Manifest, TriggerSpec } from './manifest';
import {
  type Binding,
  checkRoles,
  neededRoles,
  type ReadBindings,
  type RoleCheck,
  scopeText,
} from './roles';
import { sweepScope } from './scope';
import { type Change, changesOf, isChanged, triggerSettings, versionSettings } from './settings';

/** What a version is made of: its code, by its size (code.ts), and every setting it is given. */
export interface VersionSpec {
  /** function.proto `Version.image_size`: the code's size after unpacking; 0 when unknown. */
  readonly codeBytes: number;
  readonly runtime: string;
  readonly entrypoint: string;
  readonly memoryBytes: number;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly serviceAccountId: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Manifest['secrets'];
  readonly logging: Manifest['logging'];
  readonly asyncInvocation: Manifest['asyncInvocation'];
}

/** The deployment as the cloud has it now. */
export interface CurrentState {
  readonly functionId: string;
  /** Which version a saved plan was made against: one made since is another state. */
  readonly latestVersionId: string | undefined;
  readonly description: string;
  readonly latest: VersionSpec | undefined;
  readonly public: boolean;
  /** The function's own access bindings, for the role checks. */
  readonly accessBindings: readonly Binding[];
  readonly triggers: ReadonlyArray<{ readonly id: string; readonly spec: TriggerSpec }>;
}

/** Access granted above the function, by its folder and cloud; read for a new function too. */
export interface InheritedAccess {
  /**
   * Bindings that let anyone invoke every function there, as `<where>: <binding>`: the docs say
   * such a function is public whatever its own settings (function-private.md).
   */
  readonly publicFromAbove: readonly string[];
  /** Where the deployer may not read the bindings, so they could not be checked. */
  readonly unreadBindings: readonly string[];
  /** The folder's and its cloud's bindings, each where they could be read. */
  readonly folder?: ReadBindings['folder'];
  readonly cloud?: ReadBindings['cloud'];
}

const NOTHING_INHERITED: InheritedAccess = { publicFromAbove: [], unreadBindings: [] };

export type Step =
  | { readonly kind: 'create-function' }
  | { readonly kind: 'update-function'; readonly changes: readonly Change[] }
  | { readonly kind: 'create-version'; readonly changes: readonly Change[] }
  | { readonly kind: 'make-public' }
  | { readonly kind: 'make-private' }
  | {
      readonly kind: 'create-trigger';
      readonly trigger: TriggerSpec;
      readonly changes: readonly Change[];
    }
  | {
      readonly kind: 'update-trigger';
      readonly id: string;
      readonly trigger: TriggerSpec;
      readonly changes: readonly Change[];
    }
  | {
      /** Only for a change of type, which an update cannot make: deleted, then made again. */
      readonly kind: 'replace-trigger';
      readonly id: string;
      readonly trigger: TriggerSpec;
      readonly changes: readonly Change[];
    }
  | {
      readonly kind: 'create-dashboard';
      readonly name: string;
      readonly folderId: string;
      readonly changes: readonly Change[];
    }
  | {
      /** With the etag read when planning: a dashboard changed since is not overwritten. */
      readonly kind: 'update-dashboard';
      readonly id: string;
      readonly etag: string;
      readonly name: string;
      /** The fields deploy sets that differ: title, description, widgets. */
      readonly changed: readonly string[];
      readonly changes: readonly Change[];
    };

export interface Plan {
  readonly steps: readonly Step[];
  /** The roles the manifest calls for (docs/iam.md), each granted, missing or unknown. */
  readonly roles: readonly RoleCheck[];
  /** Things that match already, for the printed plan. */
  readonly unchanged: readonly string[];
  readonly warnings: readonly string[];
  /** Why the deployment must not go ahead; a plan with any is never applied. */
  readonly refusals: readonly string[];
  /** How far the function's sweeps may reach (sweepScope). */
  readonly scope: string;
}

export function versionSpec(manifest: Manifest, codeBytes: number): VersionSpec {
  return {
    codeBytes,
    runtime: manifest.runtime,
    entrypoint: manifest.entrypoint,
    memoryBytes: manifest.memory,
    timeoutMs: manifest.timeout,
    concurrency: manifest.concurrency,
    serviceAccountId: manifest.serviceAccountId,
    environment: manifest.environment,
    secrets: manifest.secrets,
    logging: manifest.logging,
    asyncInvocation: manifest.asyncInvocation,
  };
}

/** Said of every public function, with the manifest's reason, for whoever reviews the plan. */
export const publicWarning = (reason: string) =>
  `the function will be public: anyone can call it, by raw invocation too, which bypasses HTTP_API_KEY; the reason function.yaml gives: ${JSON.stringify(reason)}`;

const publicFromAboveRefusal = (binding: string) =>
  `${binding} lets anyone invoke every function there, so this one would be public although function.yaml says public: false; remove that binding, or make it public with public: {reason: "<why anyone may call it>"}`;

/**
 * What has to change for the cloud to match the manifest: pure, so it is tested with tables.
 * Without a current state (nothing could be read) it is the plan for a folder with nothing in it.
 */
export function planDeployment(
  manifest: Manifest,
  codeBytes: number,
  current?: CurrentState,
  inherited: InheritedAccess = NOTHING_INHERITED,
): Plan {
  const steps: Step[] = [];
  const unchanged: string[] = [];
  const wantVersion = versionSettings(versionSpec(manifest, codeBytes));

  const isPublic = current?.public ?? false;
  // Access comes right after the function itself: a function found public is made private
  // before anything else is tried, so a failure later cannot leave it open.
  const access: Step[] =
    manifest.public && !isPublic
      ? [{ kind: 'make-public' }]
      : !manifest.public && isPublic
        ? [{ kind: 'make-private' }]
        : [];
  if (access.length === 0) unchanged.push(manifest.public ? 'public access' : 'private access');

  if (!current) {
    steps.push({ kind: 'create-function' }, ...access, {
      kind: 'create-version',
      changes: changesOf(wantVersion),
    });
  } else {
    const description = changesOf(
      [{ name: 'description', value: manifest.description ?? '' }],
      [{ name: 'description', value: current.description }],
    );
    if (description.some(isChanged)) steps.push({ kind: 'update-function', changes: description });
    else unchanged.push(`function ${manifest.name}`);
    steps.push(...access);
    const changes = changesOf(wantVersion, current.latest && versionSettings(current.latest));
    if (changes.some(isChanged)) steps.push({ kind: 'create-version', changes });
    else unchanged.push('the latest version: code of the same size, and the same settings');
  }

  for (const trigger of manifest.triggers) {
    const existing = current?.triggers.find((t) => t.spec.name === trigger.name);
    const changes = changesOf(triggerSettings(trigger), existing && triggerSettings(existing.spec));
    if (!existing) steps.push({ kind: 'create-trigger', trigger, changes });
    else if (!changes.some(isChanged)) unchanged.push(`trigger ${trigger.name}`);
    else if (existing.spec.type === trigger.type) {
      steps.push({ kind: 'update-trigger', id: existing.id, trigger, changes });
    } else steps.push({ kind: 'replace-trigger', id: existing.id, trigger, changes });
  }
  const warnings = [
    ...(manifest.public ? [publicWarning(manifest.publicReason)] : []),
    ...inherited.unreadBindings.map(
      (where) =>
        `the access bindings of ${where} could not be read (PERMISSION_DENIED): check there that allUsers may not invoke functions`,
    ),
  ];
  const scope = sweepScope(manifest.environment);
  const refusals = [
    ...(manifest.public ? [] : inherited.publicFromAbove.map(publicFromAboveRefusal)),
    ...(scope.refusal === undefined ? [] : [scope.refusal]),
  ];
  // A function not made yet has no bindings of its own; one not read, none known.
  const fn = current?.accessBindings ?? (inherited.folder ? [] : undefined);
  const roles = checkRoles(neededRoles(manifest), {
    ...(inherited.folder && { folder: inherited.folder }),
    ...(inherited.cloud && { cloud: inherited.cloud }),
    ...(fn && { fn }),
  });
  return { steps, roles, unchanged, warnings, refusals, scope: scope.line };
}

function headline(step: Step, manifest: Manifest): string {
  switch (step.kind) {
    case 'create-function':
      return `create function ${manifest.name} in folder ${manifest.folderId}${manifest.description ? ` (${JSON.stringify(manifest.description)})` : ''}`;
    case 'update-function':
      return `update function ${manifest.name}`;
    case 'create-version':
      return `upload ${manifest.source} as a new version of ${manifest.name}`;
    case 'make-public':
      return 'make the function public (allUsers get functions.functionInvoker)';
    case 'make-private':
      return 'make the function private (remove the bindings that let anyone invoke it)';
    case 'create-trigger':
      return `create ${step.trigger.type} trigger ${step.trigger.name}`;
    case 'update-trigger':
      return `update ${step.trigger.type} trigger ${step.trigger.name} in place`;
    case 'replace-trigger':
      return `replace trigger ${step.trigger.name}: its type changes, which an update cannot do, so it is deleted and made again (it misses what happens in between)`;
    case 'create-dashboard':
      return `create dashboard ${step.name} in folder ${step.folderId}`;
    case 'update-dashboard':
      return `update dashboard ${step.name} (${step.changed.join(', ')} changed), with the etag ${step.etag} read now`;
  }
}

/** `+ name: value` for a new setting, `~ name: old → new`, `= name: value` for one kept. */
function changeLine(change: Change): string {
  if (change.from === undefined) return `+ ${change.name}: ${change.to}`;
  if (change.to === 'removed') return `- ${change.name}: ${change.from}`;
  if (change.from === change.to) return `= ${change.name}: ${change.to}`;
  return `~ ${change.name}: ${change.from} → ${change.to}`;
}

/** The plan as printed before anything is done: every setting a step makes or keeps. */
export function formatPlan(plan: Plan, manifest: Manifest): string {
  const stepLines = (step: Step) => [
    `+ ${headline(step, manifest)}`,
    ...('changes' in step ? step.changes.map((c) => `    ${changeLine(c)}`) : []),
  ];
  const lines = [
    ...plan.refusals.map((r) => `REFUSED: ${r}`),
    ...plan.warnings.map((w) => `WARNING: ${w}`),
    plan.scope,
    ...(plan.steps.length === 0 ? ['nothing to do'] : plan.steps.flatMap(stepLines)),
    ...plan.unchanged.map((u) => `= ${u}`),
    ...(plan.roles.length > 0
      ? [
          'roles the manifest calls for (docs/iam.md):',
          ...plan.roles.map(
            (r) => `  ${r.grant.padEnd(7)} ${r.role} for ${r.account} ${scopeText(r.on)}: ${r.why}`,
          ),
        ]
      : []),
  ];
  return lines.join('\n');
}
