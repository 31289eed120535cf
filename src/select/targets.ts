import { type Guards, OnExcess, type Target } from '../model';

/** The request's own guards can only tighten the instance's: dry run on, a higher minimum age. */
export function tightened(settings: Guards, request: Guards): Guards {
  return {
    dryRun: settings.dryRun || request.dryRun,
    minAgeSeconds: Math.max(settings.minAgeSeconds, request.minAgeSeconds),
  };
}

export interface Selection {
  /** Every operation to take through the pipeline, each valid id once. */
  readonly targets: readonly Target[];
  /** Sweep candidates past the allowance under `oldest`: reported, not touched. */
  readonly overLimit: readonly Target[];
  /** Distinct operations the sweeps found that no request named: what the guard counts. */
  readonly candidates: number;
  /** True when the candidates were more than the allowance and none of them is a target. */
  readonly refused: boolean;
}

const byAge = (a: Target, b: Target) =>
  (a.createdAtMs ?? Number.POSITIVE_INFINITY) - (b.createdAtMs ?? Number.POSITIVE_INFINITY);

/**
 * Named operations first, then what the sweeps found, each operation once (the first request
 * to name it sets its guards). More sweep candidates than `maxCancels` in one invocation cancels
 * none of them (`refuse`): a mass of "stuck" operations usually means something else is wrong,
 * and a cancel is not undone. With `oldest`, the oldest `maxCancels` go on and the rest are
 * over the limit. Named operations are never refused: someone asked for each of them.
 */
export function selectTargets(
  named: readonly Target[],
  swept: readonly Target[],
  maxCancels: number,
  onExcess: OnExcess = OnExcess.Refuse,
): Selection {
  const seen = new Set<string>();
  const firstTime = ({ named: name }: Target) => {
    if (!name.valid) return true;
    if (seen.has(name.id)) return false;
    seen.add(name.id);
    return true;
  };
  const fromRequests = named.filter(firstTime);
  const fromSweeps = swept.filter(firstTime);
  const candidates = fromSweeps.length;
  if (candidates <= maxCancels) {
    return { targets: [...fromRequests, ...fromSweeps], overLimit: [], candidates, refused: false };
  }
  if (onExcess === OnExcess.Refuse) {
    return { targets: fromRequests, overLimit: [], candidates, refused: true };
  }
  const oldestFirst = [...fromSweeps].sort(byAge);
  return {
    targets: [...fromRequests, ...oldestFirst.slice(0, maxCancels)],
    overLimit: oldestFirst.slice(maxCancels),
    candidates,
    refused: false,
  };
}
