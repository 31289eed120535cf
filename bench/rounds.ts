import type { CloudApiServer } from '../emulator/cloud-api-server';
import { bareNode, type ColdSample, coldStart } from './cold-start';
import { checkCancelled, seedRunning } from './operations';
import { type WarmSample, warmThroughput } from './warm';

export interface Contender {
  name: 'project' | 'baseline';
  bundlePath: string;
  zipPath: string;
}

export type ByContender<T> = Record<Contender['name'], T>;

export interface ColdResults {
  bareNodeMs: number[];
  samples: ByContender<ColdSample[]>;
  /** The project's cold starts that sweep one folder (every kind, none stuck) instead. */
  sweeps: ColdSample[];
}

/** A folder of nothing, swept for every kind: all that a cold sweep pays beyond cancelling. */
const COLD_SWEEP = { sweep: { folderId: 'b1gbenchcoldsweep', olderThan: '30m' } };

const progress = (text: string) => process.stderr.write(`${text}\n`);

async function coldOnce(c: Contender, server: CloudApiServer, env: Record<string, string>) {
  const ids = seedRunning(server, 1);
  const sample = await coldStart(c.bundlePath, { operationIds: ids }, env);
  checkCancelled(c.name, sample.result, ids, server);
  return sample;
}

async function coldSweep(c: Contender, env: Record<string, string>) {
  const sample = await coldStart(c.bundlePath, COLD_SWEEP, env);
  const summary = (sample.result as { summary?: { sweep?: { failedListings?: number } } }).summary;
  if (summary?.sweep?.failedListings !== 0) {
    throw new Error(`the cold sweep failed: ${JSON.stringify(sample.result)}`);
  }
  return sample;
}

/**
 * Rounds of one bare node, one cold start per contender and one cold sweep of the project's, in
 * turn, so that drift in the machine's load falls on all alike. A first round is thrown away: it pays for reading node and
 * both bundles from disk, which the page cache then spares every later round.
 */
export async function coldRounds(
  contenders: readonly Contender[],
  server: CloudApiServer,
  env: Record<string, string>,
  runs: number,
): Promise<ColdResults> {
  const results: ColdResults = {
    bareNodeMs: [],
    samples: { project: [], baseline: [] },
    sweeps: [],
  };
  const project = contenders.find((c) => c.name === 'project');
  if (project === undefined) throw new Error('no project contender');
  for (let round = 0; round <= runs; round++) {
    const bare = await bareNode(env);
    const samples = [];
    for (const c of contenders) samples.push([c.name, await coldOnce(c, server, env)] as const);
    const sweep = await coldSweep(project, env);
    if (round === 0) continue;
    results.bareNodeMs.push(bare);
    for (const [name, sample] of samples) results.samples[name].push(sample);
    results.sweeps.push(sweep);
    const walls = [...samples, ['project sweeping', sweep] as const]
      .map(([name, s]) => `${name} ${s.wallMs.toFixed(0)} ms`)
      .join(', ');
    progress(`cold start ${round}/${runs}: bare node ${bare.toFixed(0)} ms, ${walls}`);
    server.reset();
  }
  return results;
}

/** `pattern` names who runs when: the baseline's run is long, so it runs once, between others. */
export async function warmRuns(
  contenders: readonly Contender[],
  pattern: readonly Contender['name'][],
  server: CloudApiServer,
  env: Record<string, string>,
  ops: number,
  latencyMs: number,
): Promise<ByContender<WarmSample[]>> {
  const results: ByContender<WarmSample[]> = { project: [], baseline: [] };
  for (const name of pattern) {
    const c = contenders.find((candidate) => candidate.name === name);
    if (c === undefined) throw new Error(`no contender named ${name}`);
    const warmIds = seedRunning(server, 5, latencyMs);
    const ids = seedRunning(server, ops, latencyMs);
    progress(`warm ${name}: ${ops} operations at ${latencyMs} ms per call...`);
    const sample = await warmThroughput({
      bundlePath: c.bundlePath,
      env,
      warmEvent: { operationIds: warmIds },
      event: { operationIds: ids },
      beforeMeasured: () => server.reset(),
    });
    checkCancelled(name, sample.result, ids, server);
    server.reset();
    progress(`warm ${name}: ${sample.durationMs.toFixed(0)} ms`);
    results[name].push(sample);
  }
  return results;
}
