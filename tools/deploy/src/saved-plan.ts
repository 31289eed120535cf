import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Code } from './code';
import { DeployError } from './deploy-error';
import { canonicalJson, fingerprint } from './fingerprint';
import type { CurrentState, InheritedAccess, Plan } from './plan';

/** Names the file's layout, so that a plan from another layout is refused, not misread. */
export const PLAN_FORMAT = 'yc-operation-canceller deploy plan, v1' as const;

/** The cloud as a plan was made against it: the ids a person checks, and everything, hashed. */
export interface PlannedState {
  readonly functionId: string | null;
  readonly latestVersionId: string | null;
  readonly triggerIds: readonly string[];
  /**
   * The SHA-256 of all deploy read: the function, its latest version's settings, its bindings,
   * its triggers, and the folder's and cloud's bindings, on which the plan's refusals rest.
   */
  readonly fingerprint: string;
  /**
   * The function's dashboard as the plan found it, or null for none; absent in a plan saved
   * before deploy made dashboards, which is then not checked for it.
   */
  readonly dashboard?: DashboardSeen | null;
}

/** A dashboard by what an update is checked against: its id and the etag read. */
interface DashboardSeen {
  readonly id: string;
  readonly etag: string;
}

/** What `--dry-run --out FILE` saves and `--plan FILE` applies. */
export interface SavedPlan {
  readonly format: typeof PLAN_FORMAT;
  readonly manifest: { readonly file: string; readonly sha256: string };
  readonly code: { readonly source: string } & Code;
  readonly state: PlannedState;
  readonly plan: Plan;
}

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 in hex');

const savedShape = z.object({
  format: z.literal(PLAN_FORMAT),
  manifest: z.object({ file: z.string(), sha256: sha256Hex }),
  code: z.object({
    source: z.string(),
    sha256: sha256Hex,
    unpackedBytes: z.number().int().min(0),
  }),
  state: z.object({
    functionId: z.string().nullable(),
    latestVersionId: z.string().nullable(),
    triggerIds: z.array(z.string()),
    fingerprint: sha256Hex,
    dashboard: z.object({ id: z.string(), etag: z.string() }).nullable().optional(),
  }),
  // Not read for itself: it is applied only when it is, to the letter, the plan made anew.
  plan: z.unknown(),
});

export function plannedState(
  current: CurrentState | undefined,
  inherited: InheritedAccess,
  dashboard?: DashboardSeen,
): PlannedState {
  return {
    functionId: current?.functionId ?? null,
    latestVersionId: current?.latestVersionId ?? null,
    triggerIds: current?.triggers.map((t) => t.id) ?? [],
    fingerprint: fingerprint({ current: current ?? null, inherited }),
    dashboard: dashboard ? { id: dashboard.id, etag: dashboard.etag } : null,
  };
}

const dashboardText = (seen: DashboardSeen | null | undefined) =>
  seen ? `${seen.id} with etag ${seen.etag}` : 'none';

/** Reads a saved plan; one that is not is a DeployError naming the file. */
export function readSavedPlan(file: string): SavedPlan {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? 'not JSON';
    throw new DeployError(`${file} is not a readable plan (${why}): make one with --dry-run --out`);
  }
  const parsed = savedShape.safeParse(data);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new DeployError(
      `${file} is not a plan npm run deploy saved (${issue?.path.join('.') || 'top level'}: ${issue?.message}): make one with --dry-run --out`,
    );
  }
  return parsed.data as SavedPlan;
}

const short = (sha256: string) => `${sha256.slice(0, 12)}…`;
const idOrNone = (id: string | null) => id ?? 'none';

/** What is the same now as when the plan was made, each as a reason to refuse if it is not. */
export interface Now {
  readonly manifestFile: string;
  readonly manifestSha256: string;
  readonly code: Code;
  readonly state: PlannedState;
  readonly plan: Plan;
}

/**
 * Why a saved plan must not be applied now: function.yaml, the code or the cloud is not what it
 * was made from, or the plan is not what deploy makes of them (it was edited); none when it may.
 */
export function staleReasons(saved: SavedPlan, now: Now): string[] {
  const reasons: string[] = [];
  if (saved.manifest.sha256 !== now.manifestSha256) {
    reasons.push(
      `${now.manifestFile} is not the manifest the plan was made from (${saved.manifest.file}): its sha256 is ${short(now.manifestSha256)}, the plan's ${short(saved.manifest.sha256)}`,
    );
  }
  if (saved.code.sha256 !== now.code.sha256) {
    reasons.push(
      `${saved.code.source} is not the code the plan was made with: its sha256 is ${short(now.code.sha256)}, the plan's ${short(saved.code.sha256)}`,
    );
  }
  const was = saved.state;
  const is = now.state;
  if (was.functionId !== is.functionId) {
    reasons.push(
      `the function is now ${idOrNone(is.functionId)}; the plan was made when it was ${idOrNone(was.functionId)}`,
    );
  } else if (was.latestVersionId !== is.latestVersionId) {
    reasons.push(
      `the function's latest version is now ${idOrNone(is.latestVersionId)}; the plan was made against ${idOrNone(was.latestVersionId)}`,
    );
  } else if (canonicalJson(was.triggerIds) !== canonicalJson(is.triggerIds)) {
    reasons.push(
      `the function's triggers are now [${is.triggerIds.join(', ')}]; the plan was made against [${was.triggerIds.join(', ')}]`,
    );
  } else if (was.fingerprint !== is.fingerprint) {
    reasons.push(
      `the cloud changed since the plan was made (state fingerprint ${short(is.fingerprint)}, the plan's ${short(was.fingerprint)}): the function's description or access, a trigger's settings, or the folder's or cloud's bindings`,
    );
  }
  if (was.dashboard !== undefined && canonicalJson(was.dashboard) !== canonicalJson(is.dashboard)) {
    reasons.push(
      `the function's dashboard is now ${dashboardText(is.dashboard)}; the plan was made against ${dashboardText(was.dashboard)} (someone changed it since)`,
    );
  }
  if (reasons.length === 0 && canonicalJson(saved.plan) !== canonicalJson(now.plan)) {
    reasons.push(
      'the plan is not what deploy makes of that same manifest, code and cloud: the file was edited, or deploy itself changed',
    );
  }
  return reasons;
}
