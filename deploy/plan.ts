import type { Manifest, TriggerSpec } from './manifest';

/** What a version is made of: the code's hash and every setting the manifest gives it. */
export interface VersionSpec {
  readonly sha256: string;
  readonly runtime: string;
  readonly entrypoint: string;
  readonly memoryBytes: number;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly serviceAccountId: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Manifest['secrets'];
  readonly logging: Manifest['logging'];
}

/** The deployment as the cloud has it now. */
export interface CurrentState {
  readonly functionId: string;
  readonly description: string;
  readonly latest: VersionSpec | undefined;
  readonly public: boolean;
  readonly triggers: ReadonlyArray<{ readonly id: string; readonly spec: TriggerSpec }>;
}

export type Step =
  | { readonly kind: 'create-function' }
  | { readonly kind: 'update-function'; readonly fields: readonly string[] }
  | { readonly kind: 'create-version'; readonly reasons: readonly string[] }
  | { readonly kind: 'make-public' }
  | { readonly kind: 'make-private' }
  | { readonly kind: 'create-trigger'; readonly trigger: TriggerSpec }
  | {
      readonly kind: 'replace-trigger';
      readonly id: string;
      readonly trigger: TriggerSpec;
      readonly fields: readonly string[];
    };

export interface Plan {
  readonly steps: readonly Step[];
  /** Things that match already, for the printed plan. */
  readonly unchanged: readonly string[];
  readonly warnings: readonly string[];
}

export function versionSpec(manifest: Manifest, sha256: string): VersionSpec {
  return {
    sha256,
    runtime: manifest.runtime,
    entrypoint: manifest.entrypoint,
    memoryBytes: manifest.memory,
    timeoutMs: manifest.timeout,
    concurrency: manifest.concurrency,
    serviceAccountId: manifest.serviceAccountId,
    environment: manifest.environment,
    secrets: manifest.secrets,
    logging: manifest.logging,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

/** Key order must not count as a change. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function differences<T extends object>(want: T, have: T): string[] {
  return Object.keys(want).filter((key) => !same(want[key as keyof T], have[key as keyof T]));
}

export const PUBLIC_WARNING =
  'the function will be public: anyone can call it, by raw invocation too, which bypasses HTTP_API_KEY';

/**
 * What has to change for the cloud to match the manifest: pure, so it is tested with tables.
 * Without a current state (nothing could be read) it is the plan for a folder with nothing in it.
 */
export function planDeployment(manifest: Manifest, sha256: string, current?: CurrentState): Plan {
  const steps: Step[] = [];
  const unchanged: string[] = [];
  const wantVersion = versionSpec(manifest, sha256);

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
      reasons: ['new function'],
    });
  } else {
    if ((manifest.description ?? '') !== current.description) {
      steps.push({ kind: 'update-function', fields: ['description'] });
    } else unchanged.push(`function ${manifest.name}`);
    steps.push(...access);
    const reasons = current.latest ? differences(wantVersion, current.latest) : ['no version yet'];
    if (reasons.length > 0) steps.push({ kind: 'create-version', reasons });
    else unchanged.push('the latest version: same code and settings');
  }

  for (const trigger of manifest.triggers) {
    const existing = current?.triggers.find((t) => t.spec.name === trigger.name);
    if (!existing) steps.push({ kind: 'create-trigger', trigger });
    else {
      const fields = differences(trigger, existing.spec);
      if (fields.length === 0) unchanged.push(`trigger ${trigger.name}`);
      // A trigger's rule cannot be updated in place: it is deleted and made again.
      else steps.push({ kind: 'replace-trigger', id: existing.id, trigger, fields });
    }
  }
  const warnings = manifest.public ? [PUBLIC_WARNING] : [];
  return { steps, unchanged, warnings };
}

function describeStep(step: Step, manifest: Manifest): string {
  switch (step.kind) {
    case 'create-function':
      return `create function ${manifest.name} in folder ${manifest.folderId}`;
    case 'update-function':
      return `update function ${manifest.name}: ${step.fields.join(', ')}`;
    case 'create-version':
      return `upload ${manifest.source} as a new version (${step.reasons.join(', ')})`;
    case 'make-public':
      return 'make the function public (allUsers get functions.functionInvoker)';
    case 'make-private':
      return 'make the function private again (remove allUsers)';
    case 'create-trigger':
      return `create ${step.trigger.type} trigger ${step.trigger.name}`;
    case 'replace-trigger':
      return `replace ${step.trigger.type} trigger ${step.trigger.name} (${step.fields.join(', ')} changed)`;
  }
}

/** The plan as printed before anything is done. */
export function formatPlan(plan: Plan, manifest: Manifest): string {
  const lines = [
    ...plan.warnings.map((w) => `WARNING: ${w}`),
    ...(plan.steps.length === 0
      ? ['nothing to do']
      : plan.steps.map((s) => `+ ${describeStep(s, manifest)}`)),
    ...plan.unchanged.map((u) => `= ${u}`),
  ];
  return lines.join('\n');
}
