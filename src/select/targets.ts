import { type Guards, OnExcess, type Origin, type Target } from '../model';

/** The request's own guards can only tighten the instance's: dry run on, a higher minimum age. */
export function tightened(settings: Guards, request: Guards): Guards {
  return {
    dryRun: settings.dryRun || request.dryRun,
    minAgeSeconds: Math.max(settings.minAgeSeconds, request.minAgeSeconds),
  };
}

/**
 * The guards for an operation several requests name: the loosest any of them allows, since each
 * request's guards bind only itself (a dry run asks to look, not to stop another's cancel).
 */
export function loosest(a: Guards, b: Guards): Guards {
  return {
    dryRun: a.dryRun && b.dryRun,
    minAgeSeconds: Math.min(a.minAgeSeconds, b.minAgeSeconds),
  };
}

export interface Selection {
  /** Every operation to take through the pipeline, each valid id once. */
  readonly targets: readonly Target[];
  /** Sweep candidates past the allowance under `oldest`: reported, not touched. */
  readonly overLimit: readonly Target[];
  /** Sweep candidates the guard refused: none of them is a target. */
  readonly refused: readonly Target[];
  /** Distinct operations the sweeps found that no request named: what the guard counts. */
  readonly candidates: number;
}

const byAge = (a: Target, b: Target) =>
  (a.createdAtMs ?? Number.POSITIVE_INFINITY) - (b.createdAtMs ?? Number.POSITIVE_INFINITY);

/**
 * Each valid id once, in the order first named: with the loosest guards of the requests that
 * named it and, in `alsoFor`, the origins of the others, whose lines report it too.
 */
function merged(targets: readonly Target[], into = new Map<string, Target>()): Target[] {
  const invalid: Target[] = [];
  const others = new Map<string, Origin[]>();
  for (const target of targets) {
    if (!target.named.valid) {
      invalid.push(target);
      continue;
    }
    const first = into.get(target.named.id);
    if (first === undefined) {
      into.set(target.named.id, target);
      continue;
    }
    // One list per id, grown in place: a thousand repeats must not copy it a thousand times.
    const alsoFor = (others.get(target.named.id) ?? []) as Origin[];
    alsoFor.push(target.origin);
    others.set(target.named.id, alsoFor);
    into.set(target.named.id, { ...first, ...loosest(first, target), alsoFor });
  }
  return [...into.values(), ...invalid];
}

/**
 * Named operations first, then what the sweeps found, each operation once. More sweep
 * candidates than `maxCancels` in one invocation cancels none of them (`refuse`): a mass of
 * "stuck" operations usually means something else is wrong, and a cancel is not undone. With
 * `oldest`, the oldest `maxCancels` go on and the rest are over the limit. Named operations are
 * never refused: someone asked for each of them, and a sweep that also found one adds its line,
 * not its guards.
 */
export function selectTargets(
  named: readonly Target[],
  swept: readonly Target[],
  maxCancels: number,
  onExcess: OnExcess = OnExcess.Refuse,
): Selection {
  const fromRequests = merged(named);
  const byId = new Map(
    fromRequests.flatMap((t) => (t.named.valid ? [[t.named.id, t] as const] : [])),
  );
  const fromSweeps: Target[] = [];
  for (const target of merged(swept)) {
    const id = target.named.valid ? target.named.id : undefined;
    const asked = id === undefined ? undefined : byId.get(id);
    if (asked === undefined) {
      fromSweeps.push(target);
      continue;
    }
    const alsoFor = [...(asked.alsoFor ?? []), target.origin, ...(target.alsoFor ?? [])];
    byId.set(id as string, { ...asked, alsoFor });
  }
  const requested = fromRequests.map((t) => (t.named.valid ? (byId.get(t.named.id) ?? t) : t));
  const candidates = fromSweeps.length;
  if (candidates <= maxCancels) {
    return { targets: [...requested, ...fromSweeps], overLimit: [], refused: [], candidates };
  }
  const oldestFirst = [...fromSweeps].sort(byAge);
  // A cap of none (a fan-out's share of 0) lets none through either way: its candidates are
  // reported over the limit, not refused as a mass of stuck operations, which they need not be.
  if (onExcess === OnExcess.Refuse && maxCancels > 0) {
    return { targets: requested, overLimit: [], refused: oldestFirst, candidates };
  }
  return {
    targets: [...requested, ...oldestFirst.slice(0, maxCancels)],
    overLimit: oldestFirst.slice(maxCancels),
    refused: [],
    candidates,
  };
}
