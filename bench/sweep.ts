import {
  type CloudApiServer,
  type FakeOperation,
  type FakeResource,
  startCloudApiServer,
} from '../emulator/cloud-api-server';
import { endpointsAt } from '../emulator/endpoints';
import type { TestPkiFiles } from '../emulator/pki';
import { functionEnv } from './function-env';
import { median } from './stats';
import { type WarmSample, warmThroughput } from './warm';

export interface SweepScale {
  folders: number;
  resources: number;
  operations: number;
}

export const QUICK_SWEEP: SweepScale = { folders: 4, resources: 400, operations: 8000 };
export const FULL_SWEEP: SweepScale = { folders: 20, resources: 5000, operations: 100_000 };

/** Not done and old: what both sweeps must find. Few, so the listing is what is measured. */
const STUCK = 10;
const CLOUD = 'b1gbenchsweepcloud';
const WARM_CLOUD = 'b1gbenchwarmcloud';
const KINDS = ['compute.instance'];
const OLDER_THAN = '30m';
const LONG_AGO = () => new Date(Date.now() - 2 * 3_600_000);
/** The function timeout the fan-out estimate is against, and the share of it one invocation may use. */
const TIMEOUT_S = 60;
const TIMEOUT_SHARE = 0.5;
/** The platform's limit of concurrent calls of a function per zone. */
const ZONE_CONCURRENCY = 10;
/** The project's hand-offs in flight at once (src/sweep/fan-out.ts HAND_OFF_CONCURRENCY). */
const HAND_OFF_CONCURRENCY = 8;
const LISTING = /\/List(Operations)?$/;

/** `learn`: the project's sweep with `learn` on, against the same sweep without it. */
export type SweepContender = 'project' | 'naive' | 'learn';
/** Issue 28's example: what learning costs is measured at the settings it gives. */
const LEARN = { factor: 3, floor: '5m', minSamples: 5 } as const;
/** The methods the done operations are dealt among, so that learning keeps several pairs. */
const METHODS = ['Create instance', 'Start instance', 'Stop instance', 'Update instance'];

export interface SweepSample extends WarmSample {
  /** Every call the emulator saw during the measured invocation. */
  calls: number;
  /** Of them, folder, resource and operation listings. */
  listingCalls: number;
  /** CPU the bench process (the emulator) spent meanwhile, ms: it shares the machine. */
  emulatorCpuMs: number;
}

export interface SweepResults {
  scale: SweepScale;
  latencyMs: number;
  samples: Record<SweepContender, SweepSample[]>;
}

const progress = (text: string) => process.stderr.write(`${text}\n`);

/**
 * A cloud of `folders` folders with `resources` instances dealt out among them and `operations`
 * dealt out among the instances, all created two hours ago; all done but STUCK, spread evenly,
 * each done one after 0 to 99 seconds, of one of METHODS: what a sweep that learns learns from.
 * Ids are lowercase letters and digits, as the function's request checks demand.
 */
function cloudOf(scale: SweepScale) {
  const folderIds = Array.from({ length: scale.folders }, (_, f) => `b1gbenchf${f}`);
  const resources: FakeResource[] = Array.from({ length: scale.resources }, (_, r) => ({
    kind: 'compute.instance',
    id: `benchvm${r}`,
    folderId: folderIds[r % scale.folders] as string,
  }));
  const createdAt = LONG_AGO();
  const every = Math.floor(scale.operations / STUCK);
  const stuck = new Set(Array.from({ length: STUCK }, (_, k) => k * every + 1));
  const operations: FakeOperation[] = Array.from({ length: scale.operations }, (_, n) => ({
    id: `benchop${n}`,
    resourceId: `benchvm${n % scale.resources}`,
    description: METHODS[n % METHODS.length] as string,
    createdAt,
    modifiedAt: new Date(createdAt.getTime() + (n % 100) * 1000),
    done: !stuck.has(n),
  }));
  return {
    folderIds,
    resources,
    operations,
    stuckIds: [...stuck].map((n) => `benchop${n}`).sort(),
  };
}

/** The ids each contender says it found stuck; a sweep that finds other ones is not measured. */
function foundIds(name: SweepContender, result: unknown): string[] {
  if (name === 'naive') return [...((result as { stuck?: string[] }).stuck ?? [])].sort();
  type Result = { operationId?: unknown; outcome?: unknown; reason?: unknown };
  const results = (result as { results?: Result[] }).results;
  if (!Array.isArray(results)) throw new Error(`project: no results in ${JSON.stringify(result)}`);
  const other = results.find((r) => r.outcome !== 'skipped' || r.reason !== 'dry_run');
  if (other !== undefined) throw new Error(`project: unexpected result ${JSON.stringify(other)}`);
  return results.map((r) => String(r.operationId)).sort();
}

function sweepEvent(cloudId: string, learn = false) {
  const sweep = { cloudId, olderThan: OLDER_THAN, kinds: KINDS, ...(learn && { learn: LEARN }) };
  return { sweep, dryRun: true };
}

/**
 * The sweep scenario: one cloud on its own emulator with `latencyMs` on every listing, swept in
 * one warm invocation by the project (dry run, SWEEP_FANOUT_FOLDERS far above the folders) and
 * by the naive sweep, each in a runtime instance of its own so their peak RSS compare.
 */
export async function sweepRuns(opts: {
  pki: TestPkiFiles;
  bundles: Record<Exclude<SweepContender, 'learn'>, string>;
  pattern: readonly SweepContender[];
  scale: SweepScale;
  latencyMs: number;
}): Promise<SweepResults> {
  const { scale } = opts;
  const cloud = cloudOf(scale);
  const warm = {
    resources: [{ kind: 'compute.instance', id: 'benchwarmvm', folderId: 'b1gbenchwarm' }],
    operations: [{ id: 'benchwarmop', resourceId: 'benchwarmvm', createdAt: LONG_AGO() }],
  } satisfies { resources: FakeResource[]; operations: FakeOperation[] };
  const server: CloudApiServer = await startCloudApiServer({
    pki: opts.pki,
    resources: [...warm.resources, ...cloud.resources],
    operations: [...warm.operations, ...cloud.operations],
    listingLatencyMs: opts.latencyMs,
  });
  server.placeFolder('b1gbenchwarm', WARM_CLOUD);
  for (const id of cloud.folderIds) server.placeFolder(id, CLOUD);
  const env = {
    ...functionEnv(server.address, opts.pki.caFile),
    ...endpointsAt(server.address),
    // The whole sweep in the one invocation: nothing handed on.
    SWEEP_FANOUT_FOLDERS: '10000',
  };
  const samples: Record<SweepContender, SweepSample[]> = { project: [], naive: [], learn: [] };
  try {
    for (const name of opts.pattern) {
      progress(
        `sweep ${name}: ${scale.folders} folders, ${scale.resources} resources, ` +
          `${scale.operations} operations at ${opts.latencyMs} ms per listing...`,
      );
      let cpuAtStart = process.cpuUsage();
      const learn = name === 'learn';
      const sample = await warmThroughput({
        bundlePath: opts.bundles[learn ? 'project' : name],
        env,
        warmEvent: sweepEvent(WARM_CLOUD, learn),
        event: sweepEvent(CLOUD, learn),
        beforeMeasured: () => {
          server.reset();
          cpuAtStart = process.cpuUsage();
        },
      });
      const cpu = process.cpuUsage(cpuAtStart);
      const found = foundIds(name, sample.result);
      if (JSON.stringify(found) !== JSON.stringify(cloud.stuckIds)) {
        throw new Error(`${name}: found ${found.length} stuck operations, expected ${STUCK}`);
      }
      const calls = server.calls.length;
      const listingCalls = server.calls.filter((c) => LISTING.test(c.method)).length;
      server.reset();
      progress(`sweep ${name}: ${sample.durationMs.toFixed(0)} ms, ${calls} calls`);
      samples[name].push({
        ...sample,
        calls,
        listingCalls,
        emulatorCpuMs: (cpu.user + cpu.system) / 1000,
      });
    }
  } finally {
    await server.close();
  }
  return { scale, latencyMs: opts.latencyMs, samples };
}

export interface FanOutEstimate {
  /** The project's median sweep time over the folders: each folder's share of one invocation. */
  msPerFolder: number;
  resourcesPerFolder: number;
  /** Folders like these at which one invocation reaches TIMEOUT_SHARE of a TIMEOUT_S timeout. */
  foldersAtTimeoutShare: number;
  /** Folders from which handing on beats sweeping in place in wall time, by the model below. */
  foldersFromWhichFanOutIsQuicker: number;
  timeoutS: number;
  timeoutShare: number;
  zoneConcurrency: number;
  coldStartMs: number;
  /** The emulator's CPU over the project's wall time: near 1, it, not the latency, set the pace. */
  emulatorBusyShare: number;
}

/**
 * An estimate, not a measurement: one invocation's time is taken as linear in its folders (the
 * project sweeps folders one after another), at the per-folder time measured here; fanned out,
 * F folders cost the hand-offs (F / HAND_OFF_CONCURRENCY calls at one listing's latency), one
 * cold start (`coldStartMs`, as measured) and ceil(F / ZONE_CONCURRENCY) folder sweeps in turn.
 */
export function fanOutEstimate(
  results: SweepResults,
  coldStartMs: number,
): FanOutEstimate | undefined {
  const { project } = results.samples;
  if (project.length === 0) return undefined;
  const msPerFolder = median(project.map((s) => s.durationMs)) / results.scale.folders;
  const inPlace = (f: number) => f * msPerFolder;
  const fannedOut = (f: number) =>
    Math.ceil(f / HAND_OFF_CONCURRENCY) * results.latencyMs +
    coldStartMs +
    Math.ceil(f / ZONE_CONCURRENCY) * msPerFolder;
  let quicker = 1;
  while (quicker < 10_000 && inPlace(quicker) <= fannedOut(quicker)) quicker++;
  return {
    msPerFolder,
    resourcesPerFolder: results.scale.resources / results.scale.folders,
    foldersAtTimeoutShare: Math.floor((TIMEOUT_S * 1000 * TIMEOUT_SHARE) / msPerFolder),
    foldersFromWhichFanOutIsQuicker: quicker,
    timeoutS: TIMEOUT_S,
    timeoutShare: TIMEOUT_SHARE,
    zoneConcurrency: ZONE_CONCURRENCY,
    coldStartMs,
    emulatorBusyShare:
      median(project.map((s) => s.emulatorCpuMs)) / median(project.map((s) => s.durationMs)),
  };
}

export function describeFanOut(e: FanOutEstimate, latencyMs: number): string {
  const percent = (e.timeoutShare * 100).toFixed(0);
  return (
    `fan-out estimate (from the project's median above, linear in folders; not measured): ` +
    `${e.msPerFolder.toFixed(0)} ms per folder of ${e.resourcesPerFolder} instances at ` +
    `${latencyMs} ms a listing, so one invocation passes ${percent}% of a ${e.timeoutS} s timeout ` +
    `at ~${e.foldersAtTimeoutShare} such folders: SWEEP_FANOUT_FOLDERS should stay below that. ` +
    `In wall time, handing on (one cold start of ${e.coldStartMs.toFixed(0)} ms, at most ` +
    `${e.zoneConcurrency} folders at once per zone) is quicker from ~` +
    `${e.foldersFromWhichFanOutIsQuicker} folders, at one invocation per folder.` +
    (e.emulatorBusyShare > 0.5
      ? ` Caveat: the emulator was busy ${(e.emulatorBusyShare * 100).toFixed(0)}% of the ` +
        `project's sweep on this machine (its ListOperations scans every operation), so the ` +
        `per-folder time is an upper bound and the folder count a lower one.`
      : '')
  );
}
