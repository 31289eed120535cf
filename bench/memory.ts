import {
  type FakeOperation,
  type FakeResource,
  startCloudApiServer,
} from '../emulator/cloud-api-server';
import { endpointsAt } from '../emulator/endpoints';
import type { TestPkiFiles } from '../emulator/pki';
import { functionEnv } from './function-env';
import { type WarmSample, warmThroughput } from './warm';

/** Issue 17's bounded-memory cases: what each holds at its peak, in a runtime of its own. */
export interface MemorySamples {
  /** A folder of RESOURCES instances with OPERATIONS_EACH finished operations each, and one stuck. */
  sweep: WarmSample[];
  /** A queue batch of MESSAGES messages of IDS_EACH ids each. */
  batch: WarmSample[];
}

export const RESOURCES = 8;
export const OPERATIONS_EACH = 20_000;
export const MESSAGES = 1000;
export const IDS_EACH = 150;
const FOLDER = 'b1gbenchmemory';
const LONG_AGO = () => new Date(Date.now() - 2 * 3_600_000);
const progress = (text: string) => process.stderr.write(`${text}\n`);

function folder() {
  const resources: FakeResource[] = Array.from({ length: RESOURCES }, (_, r) => ({
    kind: 'compute.instance',
    id: `memvm${r}`,
    folderId: FOLDER,
  }));
  const createdAt = LONG_AGO();
  const operations: FakeOperation[] = resources.flatMap(({ id }, r) =>
    Array.from({ length: OPERATIONS_EACH }, (_, n) => ({
      id: `memop${r}n${n}`,
      resourceId: id,
      createdAt,
      // A description of the API's longest, so each page weighs what a real one may.
      description: 'x'.repeat(256),
      done: n !== 0,
    })),
  );
  return { resources, operations };
}

function batchEvent() {
  const messages = Array.from({ length: MESSAGES }, (_, m) => ({
    event_metadata: {
      event_id: `e${m}`,
      event_type: 'yandex.cloud.events.messagequeue.QueueMessage',
    },
    details: {
      queue_id: 'yrn:yc:ymq:ru-central1:b1gbench:memory',
      message: {
        message_id: `m${m}`,
        body: JSON.stringify({
          operationIds: Array.from({ length: IDS_EACH }, (_, i) => `memm${m}i${i}`),
          dryRun: true,
        }),
      },
    },
  }));
  return { messages };
}

export async function memoryRuns(opts: {
  pki: TestPkiFiles;
  bundlePath: string;
  runs: number;
}): Promise<MemorySamples> {
  const { resources, operations } = folder();
  const server = await startCloudApiServer({ pki: opts.pki, resources, operations });
  const env = { ...functionEnv(server.address, opts.pki.caFile), ...endpointsAt(server.address) };
  const samples: MemorySamples = { sweep: [], batch: [] };
  const warmEvent = { operationIds: ['memwarm0'], dryRun: true };
  try {
    for (let run = 0; run < opts.runs; run++) {
      progress(`memory: a sweep over ${RESOURCES * OPERATIONS_EACH} listed operations...`);
      samples.sweep.push(
        await warmThroughput({
          bundlePath: opts.bundlePath,
          env,
          warmEvent,
          event: {
            sweep: { folderId: FOLDER, kinds: ['compute.instance'], olderThan: '30m' },
            dryRun: true,
          },
          beforeMeasured: () => server.reset(),
        }),
      );
      progress(`memory: a batch of ${MESSAGES} messages of ${IDS_EACH} ids...`);
      samples.batch.push(
        await warmThroughput({
          bundlePath: opts.bundlePath,
          env,
          warmEvent,
          event: batchEvent(),
          beforeMeasured: () => server.reset(),
        }),
      );
    }
  } finally {
    await server.close();
  }
  return samples;
}
