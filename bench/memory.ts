import {
  type FakeOperation,
  type FakeResource,
  startCloudApiServer,
} from '../emulator/cloud-api-server';
import { endpointsAt } from '../emulator/endpoints';
import type { TestPkiFiles } from '../emulator/pki';
import { httpEvent, queueEvent } from '../test/support/events';
import { createMemoryCgroup, type MemoryCgroup } from './cgroup';
import { functionEnv } from './function-env';
import { median } from './stats';
import { warmThroughput } from './warm';

/** The function's memory as deployed (function.yaml), and the most a scenario may peak at. */
export const FUNCTION_MB = 128;
export const PEAK_BUDGET_MB = 96;
const MB = 1024 * 1024;
const LONG_AGO = () => new Date(Date.now() - 2 * 3_600_000);
const progress = (text: string) => process.stderr.write(`${text}\n`);

/** One case the function must hold in its memory, with what it needs of the emulator. */
interface Scenario {
  readonly name: string;
  readonly resources?: readonly FakeResource[];
  readonly operations?: readonly FakeOperation[];
  readonly event: unknown;
  /** The reply is the one asked for, or a measurement would be of a failure. */
  check(result: unknown): void;
}

/** How a run was measured: the kernel's count in a cgroup, or only V8's heap sized to fit. */
export type Measure = { cgroup: 'v1' | 'v2' } | { heapOnly: string };

export interface MemoryResult {
  readonly name: string;
  /** The median of the runs' peaks: the cgroup's, or the process's peak RSS. */
  readonly peakMb: number;
  /** Runs the kernel killed for passing FUNCTION_MB. */
  readonly killed: number;
  readonly runs: number;
}

export interface MemoryResults {
  readonly measure: Measure;
  readonly results: readonly MemoryResult[];
}

const running = (id: string, resourceId?: string): FakeOperation => ({
  id,
  createdAt: LONG_AGO(),
  ...(resourceId && { resourceId }),
});

function expectSummary(result: unknown, fields: Record<string, unknown>): void {
  const summary = (result as { summary?: Record<string, unknown> } | undefined)?.summary;
  for (const [field, value] of Object.entries(fields)) {
    if (summary?.[field] !== value) {
      throw new Error(`expected summary.${field} ${value}: ${JSON.stringify(summary)}`);
    }
  }
}

const ids = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`);

/** A folder of `instances` instances with `each` operations: finished, but the first if `stuck`. */
function folderOf(folderId: string, instances: number, each: number, stuck: boolean) {
  const resources: FakeResource[] = ids(`${folderId}vm`, instances).map((id) => ({
    kind: 'compute.instance',
    id,
    folderId,
  }));
  const createdAt = LONG_AGO();
  const operations: FakeOperation[] = resources.flatMap(({ id }) =>
    ids(`${id}op`, each).map((op, n) => ({
      id: op,
      resourceId: id,
      createdAt,
      // A description of the API's longest, so each page weighs what a real one may.
      description: 'x'.repeat(256),
      done: !stuck || n !== 0,
    })),
  );
  return { resources, operations };
}

/** Issue 23's scenarios: the heaviest each channel and the sweep are documented to take. */
function scenarios(): Scenario[] {
  const named = ids('memid', 1000);
  const queued = ids('memq', 1000);
  const deep = folderOf('b1gmemdeep', 8, 20_000, true);
  const wide = ids('b1gmemwide', 20).map((folderId) => folderOf(folderId, 250, 20, false));
  return [
    {
      name: '1000 ids over HTTP',
      operations: named.map((id) => running(id)),
      event: httpEvent(JSON.stringify({ operationIds: named })),
      check: (result) => {
        const reply = result as { statusCode?: number; body?: string };
        if (reply.statusCode !== 200) throw new Error(`HTTP ${reply.statusCode}`);
        expectSummary(JSON.parse(reply.body ?? '{}'), { operations: 1000 });
      },
    },
    {
      name: 'a queue batch of 1000 messages',
      operations: queued.map((id) => running(id)),
      event: queueEvent(queued.map((id) => JSON.stringify({ operationIds: [id] }))),
      check: (result) => expectSummary(result, { operations: 1000, rejectedRequests: 0 }),
    },
    {
      name: 'a queue batch of 150 messages × 1000 ids',
      // MAX_OPERATIONS (1000) admits the first message; the other 149 would be handed on to an
      // invocation of their own, and with no function id to hand them to are refused by name.
      event: queueEvent(
        Array.from({ length: 150 }, (_, m) =>
          JSON.stringify({ operationIds: ids(`memb${m}i`, 1000) }),
        ),
      ),
      check: (result) => expectSummary(result, { operations: 1000, rejectedRequests: 149 }),
    },
    {
      name: 'a sweep of a folder of 8 instances × 20,000 operations',
      ...deep,
      event: {
        sweep: { folderId: 'b1gmemdeep', kinds: ['compute.instance'], olderThan: '30m' },
        dryRun: true,
      },
      check: (result) => expectSummary(result, { operations: 8 }),
    },
    {
      name: 'a sweep of 20 folders × 250 instances × 20 operations',
      resources: wide.flatMap((f) => f.resources),
      operations: wide.flatMap((f) => f.operations),
      event: {
        sweep: {
          folderIds: wide.map((f) => f.resources[0]?.folderId),
          kinds: ['compute.instance'],
          olderThan: '30m',
        },
        dryRun: true,
      },
      check: (result) => expectSummary(result, { operations: 0 }),
    },
  ];
}

/** A cgroup where the probe made one: failing now is no reason to measure another way. */
function cgroupOrThrow(): MemoryCgroup {
  const cgroup = createMemoryCgroup(FUNCTION_MB * MB);
  if ('unavailable' in cgroup) throw new Error(cgroup.unavailable);
  return cgroup;
}

/**
 * Each scenario in a runtime instance of its own, warmed by a small invocation first, inside a
 * memory cgroup of FUNCTION_MB where the machine allows (Linux, root) and with no heap flags, so
 * that Node sizes its heap from the cgroup as on the platform; elsewhere, with V8's heap sized as
 * Node sizes it in 128 MB, and the process's peak RSS.
 */
export async function memoryRuns(opts: {
  pki: TestPkiFiles;
  bundlePath: string;
  runs: number;
}): Promise<MemoryResults> {
  const all = scenarios();
  const server = await startCloudApiServer({
    pki: opts.pki,
    resources: all.flatMap((s) => s.resources ?? []),
    operations: [running('memwarm0'), ...all.flatMap((s) => s.operations ?? [])],
  });
  const probe = createMemoryCgroup(FUNCTION_MB * MB);
  const measure: Measure =
    'unavailable' in probe ? { heapOnly: probe.unavailable } : { cgroup: probe.version };
  if (!('unavailable' in probe)) probe.remove();
  const base: Record<string, string> = {
    ...functionEnv(server.address, opts.pki.caFile),
    ...endpointsAt(server.address),
  };
  const { NODE_OPTIONS: _heapFlags, ...withoutHeapFlags } = base;
  const env = {
    ...('cgroup' in measure ? withoutHeapFlags : base),
    // The whole sweep in the one invocation: nothing handed on.
    SWEEP_FANOUT_FOLDERS: '10000',
  };
  const results: MemoryResult[] = [];
  try {
    for (const scenario of all) {
      const peaks: number[] = [];
      let killed = 0;
      for (let run = 0; run < opts.runs; run++) {
        progress(`memory: ${scenario.name} (${run + 1}/${opts.runs})...`);
        server.reset();
        const cgroup = 'cgroup' in measure ? cgroupOrThrow() : undefined;
        try {
          const sample = await warmThroughput({
            bundlePath: opts.bundlePath,
            env,
            ...(cgroup && { nodePath: cgroup.nodePath }),
            warmEvent: { operationIds: ['memwarm0'], dryRun: true },
            event: scenario.event,
            beforeMeasured: () => server.reset(),
          });
          scenario.check(sample.result);
          peaks.push(cgroup ? cgroup.peakBytes() : sample.maxRssBytes);
        } catch (error) {
          if (cgroup === undefined || cgroup.oomKills() === 0) throw error;
          killed += 1;
          peaks.push(cgroup.peakBytes());
        } finally {
          cgroup?.remove();
        }
      }
      results.push({ name: scenario.name, peakMb: median(peaks) / MB, killed, runs: opts.runs });
    }
  } finally {
    await server.close();
  }
  return { measure, results };
}

export function describeMeasure(measure: Measure): string {
  return 'cgroup' in measure
    ? `memory: each scenario in a memory cgroup ${measure.cgroup} of ${FUNCTION_MB} MB, no heap flags (Node sizes its heap from the cgroup); the peak is the kernel's count for the cgroup`
    : `memory: no memory cgroup here (${measure.heapOnly}); V8's heap sized as in ${FUNCTION_MB} MB instead, and the peak is the process's RSS`;
}
