import type { CallLimits } from '../cloud/unary';
import type { Config } from '../config';
import { type Logger, LogLevel } from '../log';
import type { Guards, Origin, SweepSpec, Target } from '../model';
import { findCandidates } from './listing';

export interface Swept {
  /** Oldest first, each with the resource it was found on in its origin. */
  readonly targets: readonly Target[];
  /** Listings that failed after their retries: the sweep may have missed operations. */
  readonly failedListings: number;
}

/**
 * Runs one sweep, logs what it listed and what failed, and turns what it found into targets.
 * It is the entry of dist/sweep.js (the `#sweep` import), so none of it weighs on the cancel path.
 */
export async function sweep(
  spec: SweepSpec,
  request: Guards & { readonly origin: Origin },
  config: Config,
  token: string,
  limits: CallLimits,
  log: Logger,
): Promise<Swept> {
  const findings = await findCandidates(spec, {
    token,
    endpoints: { compute: config.computeEndpoint, vpc: config.vpcEndpoint },
    retry: config,
    limits,
    now: Date.now(),
  });
  const { origin, ...guards } = request;
  for (const failure of findings.failures) {
    log.log(LogLevel.Error, 'sweep listing failed', { ...origin, ...failure });
  }
  log.log(LogLevel.Info, 'sweep listed', {
    ...origin,
    ...(spec.folderId && { folderId: spec.folderId }),
    resources: findings.resources,
    operations: findings.operations,
    candidates: findings.candidates.length,
  });
  return {
    targets: findings.candidates.map((candidate) => ({
      ...guards,
      origin: {
        ...origin,
        resourceKind: candidate.resource.kind,
        resourceId: candidate.resource.id,
      },
      named: { valid: true as const, id: candidate.operationId },
    })),
    failedListings: findings.failures.length,
  };
}
