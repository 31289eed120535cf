import {
  type KindTallies,
  type KindTally,
  LEARNT_NAMED,
  type LearntDuration,
  type OperationResult,
  Outcome,
  Reason,
  type ResourceKind,
  type Target,
} from './model';

type Counts = { [field: string]: number | Counts | undefined };

/** A nested count object inside `counts`, made on first use. */
function within(counts: Counts, field: string): Counts {
  const inner = counts[field];
  if (typeof inner === 'object') return inner;
  const made: Counts = {};
  counts[field] = made;
  return made;
}

function add(into: Counts, from: Counts): void {
  for (const [field, value] of Object.entries(from)) {
    if (typeof value === 'number') into[field] = ((into[field] as number | undefined) ?? 0) + value;
    else if (value !== undefined) add(within(into, field), value);
  }
}

/** The tallies of several sweeps (or folders) as one: every count summed, kind by kind. */
export function mergeTallies(...all: readonly KindTallies[]): KindTallies {
  const merged: Counts = {};
  for (const tallies of all) add(merged, tallies as Counts);
  return merged as KindTallies;
}

/** The learnt durations of several sweeps (or folders) as one list: those of most samples first. */
export function mergeLearnt(
  ...all: ReadonlyArray<readonly LearntDuration[] | undefined>
): LearntDuration[] {
  const seen = new Set<string>();
  return (
    all
      .flatMap((learnt) => learnt ?? [])
      .sort((a, b) => b.samples - a.samples)
      // Folders learn apart: a pair two of them learnt is kept once, as the one of more samples
      // learnt it, so that no metric write holds two series of the same labels.
      .filter(({ kind, description }) => {
        const key = `${kind}\n${description}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .slice(0, LEARNT_NAMED)
  );
}

/** Which count a swept target's result adds to, if any. */
function outcomeField(result: OperationResult): keyof KindTally | undefined {
  if (result.reason === Reason.DryRun) return 'wouldCancel';
  if (result.reason === Reason.OverLimit) return 'overLimit';
  if (result.outcome === Outcome.Cancelled || result.outcome === Outcome.Cancelling) {
    return 'cancelled';
  }
  return undefined;
}

/**
 * The tallies with what came of the sweeps' candidates: cancelled, would be in a dry run, or
 * over the limit. `targets[i]` gave `results[i]`; targets a request named are not counted.
 */
export function withOutcomes(
  tallies: KindTallies,
  targets: readonly Target[],
  results: readonly OperationResult[],
): KindTallies {
  const outcomes: Counts = {};
  targets.forEach((target, i) => {
    const kind = target.origin.resourceKind as ResourceKind | undefined;
    const result = results[i];
    const field = result && outcomeField(result);
    if (kind !== undefined && field !== undefined) add(within(outcomes, kind), { [field]: 1 });
  });
  return mergeTallies(tallies, outcomes as KindTallies);
}
