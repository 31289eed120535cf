import type { CallLimits } from '../cloud/unary';
import type { Config } from '../config';
import { LogLevel } from '../constants';
import type { SweepSpec } from '../events/sweep-request';
import type { Origin } from '../events/types';
import type { Logger } from '../log';
import { loadSweep } from './load-sweep';
import type { Target } from './pipeline';

export interface SweepOutcome {
  readonly targets: Array<Target & { origin: Origin }>;
  readonly candidates: number;
  /** True when the blast-radius guard refused to cancel any of them. */
  readonly refused: boolean;
  /** Listings that failed after their retries: the sweep may have missed operations. */
  readonly failedListings: number;
}

/**
 * Runs one sweep and turns what it found into pipeline targets, oldest first. More candidates
 * than MAX_CANCELS_PER_RUN cancels none: a mass of "stuck" operations usually means something
 * else is wrong, and cancelling is not undone.
 */
export async function sweepTargets(
  spec: SweepSpec,
  base: Omit<Target, 'named'> & { origin: Origin },
  { config, allowance }: { config: Config; allowance: number },
  token: string,
  limits: CallLimits,
  log: Logger,
): Promise<SweepOutcome> {
  const { findCandidates } = await loadSweep();
  const findings = await findCandidates(spec, {
    token,
    endpoints: { compute: config.computeEndpoint, vpc: config.vpcEndpoint },
    retry: config,
    limits,
    now: Date.now(),
  });
  for (const failure of findings.failures) {
    log.log(LogLevel.Error, 'sweep listing failed', { ...base.origin, ...failure });
  }
  const candidates = findings.candidates.length;
  const refused = candidates > allowance;
  log.log(refused ? LogLevel.Error : LogLevel.Info, refused ? 'sweep refused' : 'sweep listed', {
    ...base.origin,
    ...(spec.folderId && { folderId: spec.folderId }),
    resources: findings.resources,
    operations: findings.operations,
    candidates,
    ...(refused && {
      reason: `${candidates} candidates is more than MAX_CANCELS_PER_RUN (${config.maxCancelsPerRun}) allows in this invocation (${Math.max(0, allowance)} left); none is cancelled`,
    }),
  });
  const targets = refused
    ? []
    : findings.candidates.map((candidate) => ({
        ...base,
        origin: {
          ...base.origin,
          resourceKind: candidate.resource.kind,
          resourceId: candidate.resource.id,
        },
        named: { valid: true as const, id: candidate.operationId },
      }));
  return { targets, candidates, refused, failedListings: findings.failures.length };
}
