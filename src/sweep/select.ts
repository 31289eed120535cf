import type { CallLimits } from '../cloud/unary';
import type { Config } from '../config';
import { type Logger, LogLevel } from '../log';
import type { Guards, OperationResult, Origin, SweepSpec, Target } from '../model';
import { findCandidates } from './listing';
import { stuckResult } from './listing/stuck';
import { withRetryLines } from './retry-lines';
import { type Invocation, sweepWide } from './wide';

export interface Swept {
  /** Oldest first, each with the resource it was found on in its origin. */
  readonly targets: readonly Target[];
  /**
   * Oldest first, each with its resource: the stuck operations of kinds the API cannot cancel,
   * as results already, since nothing more is done about them.
   */
  readonly reported: readonly OperationResult[];
  /** Listings that failed after their retries (or folders not handed on): a retry may mend them. */
  readonly failedListings: number;
  /** Folders handed on, each to an invocation of its own. */
  readonly handedOn?: number;
  /** The sweep id of a sweep of a cloud or of several folders, for the lines of what it reports. */
  readonly sweepId?: string;
}

type Request = Guards & { readonly origin: Origin };

/**
 * Runs one sweep: of one folder (or of named resources) here, or of a cloud or several folders
 * folder by folder, here or handed on. It is the entry of dist/sweep.js (the `#sweep` import),
 * so none of it weighs on the cancel path.
 */
export async function sweep(
  spec: SweepSpec,
  request: Request,
  config: Config,
  token: string,
  limits: CallLimits,
  log: Logger,
  invocation: Invocation = {},
): Promise<Swept> {
  if (spec.cloudId === undefined && spec.folderIds === undefined) {
    return sweepFolder(spec, request, config, token, limits, log);
  }
  return sweepWide({
    spec,
    request,
    config,
    token,
    limits,
    log,
    invocation,
    sweepOne: (one, origin) => sweepFolder(one, { ...request, origin }, config, token, limits, log),
  });
}

/** Sweeps one folder (or named resources), logs what it listed and what failed, and turns what it found into targets. */
async function sweepFolder(
  spec: SweepSpec,
  request: Request,
  config: Config,
  token: string,
  limits: CallLimits,
  log: Logger,
): Promise<Swept> {
  const now = Date.now();
  const findings = await findCandidates(spec, {
    token,
    endpoints: {
      compute: config.computeEndpoint,
      vpc: config.vpcEndpoint,
      k8s: config.k8sEndpoint,
      mdb: config.mdbEndpoint,
    },
    retry: config,
    limits: withRetryLines(limits, log, request.origin),
    now,
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
    reported: findings.reported.length,
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
    reported: findings.reported.map((sighting) => stuckResult(sighting, now)),
    failedListings: findings.failures.length,
  };
}
