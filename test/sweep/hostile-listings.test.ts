import { describe, expect, it } from 'vitest';
import { SWEEP_BOUNDS } from '../../src/sweep/listing';
import { MAX_PAGES } from '../../src/sweep/listing/pages';
import { closedAfterEach } from '../support/cleanup';
import { timerEvent } from '../support/events';
import { FAST_ENV } from '../support/fixtures';
import { type HostileListing, running, startHostileServer } from '../support/hostile-listing';
import { inProcessFunction, invocationContext } from '../support/in-process';
import { testPki } from '../support/test-pki';

// Issue 17: a sweep holds to its bounds whatever the API lists.
const track = closedAfterEach();

async function sweepAgainst(listing: HostileListing) {
  const server = track(await startHostileServer(testPki(), listing));
  const fn = inProcessFunction({
    ...FAST_ENV,
    YC_OPERATION_ENDPOINT: server.address,
    YC_COMPUTE_ENDPOINT: server.address,
    YC_METADATA_TOKEN_URL: 'http://127.0.0.1:9/token',
  });
  track(fn);
  const event = timerEvent(
    JSON.stringify({
      sweep: { folderId: 'b1gfolder', kinds: ['compute.instance'], olderThan: '30m' },
    }),
  );
  // Should the invocation throw, its ERROR lines say why.
  await fn.handler(event, invocationContext({ token: 't1.hostile' })).catch((error) => {
    throw new Error(`${error}: ${JSON.stringify(fn.lines.filter((l) => l.level === 'ERROR'))}`);
  });
  const line = (msg: string) => fn.lines.find((l) => l.msg === msg);
  return { server, fn, line };
}

const HOSTILE_IDS = ['', 'UPPERCASE0001', '../../etc/passwd', 'id\nwith\nnewlines'];

describe('a sweep over what a hostile API lists', () => {
  it('sends no malformed operation id to Get or Cancel, and names them in one WARN line', async () => {
    const { server, line } = await sweepAgainst({
      instances: ['vm1'],
      page: () => ({
        operations: [...HOSTILE_IDS, 'goodop1'].map(running),
        nextPageToken: '',
      }),
    });

    expect(server.calls.filter((c) => /^(Get|Cancel) /.test(c))).toEqual([
      'Get goodop1',
      'Cancel goodop1',
    ]);
    expect(line('sweep skipped malformed ids')).toMatchObject({
      level: 'WARN',
      what: 'operation',
      count: 4,
      ids: ['', 'UPPERCASE0001', '../../etc/passwd', 'id?with?newlines'],
    });
  });

  it('lists no operations of a resource whose listed id is malformed', async () => {
    const { server, line } = await sweepAgainst({
      instances: ['../vm', 'vm1'],
      page: (id) => ({ operations: [running(`op${id.replace(/\W/g, '')}`)], nextPageToken: '' }),
    });

    expect(server.calls.filter((c) => c.startsWith('ListOperations'))).toEqual([
      'ListOperations vm1 ',
    ]);
    expect(line('sweep skipped malformed ids')).toMatchObject({ what: 'resource', count: 1 });
  });

  it('stops at a page token it has seen, however the tokens alternate', async () => {
    const tokens = ['a', 'b', 'c'];
    const { server, line, fn } = await sweepAgainst({
      instances: ['vm1'],
      page: (_id, token) => ({
        operations: [running(`op${token || 'first'}`)],
        // '' → a → b → c → a → …: a cycle of three, which a last-token check never sees.
        nextPageToken: tokens[(tokens.indexOf(token) + 1) % tokens.length] as string,
      }),
    });

    expect(server.calls.filter((c) => c.startsWith('ListOperations'))).toHaveLength(4);
    expect(line('sweep listing cut short')).toMatchObject({
      level: 'WARN',
      cut: 'page_token_loop',
      listing: 'operations of compute.instance vm1',
    });
    expect(line('invocation summary')).toMatchObject({ outcomes: { cancelled: 4 } });
    expect(fn.lines.filter((l) => l.msg === 'sweep listing failed')).toEqual([]);
  });

  it(`stops after ${MAX_PAGES} pages of a list that never ends`, async () => {
    const { server, line } = await sweepAgainst({
      instances: ['vm1'],
      page: (_id, token) => ({ operations: [], nextPageToken: `${Number(token || 0) + 1}` }),
    });

    expect(server.calls.filter((c) => c.startsWith('ListOperations'))).toHaveLength(MAX_PAGES);
    expect(line('sweep listing cut short')).toMatchObject({ cut: 'page_limit' });
  });

  it('reports a page it cannot read as a final failure, and sweeps the other resources', async () => {
    const { server, fn, line } = await sweepAgainst({
      instances: ['vmbad', 'vmgood'],
      page: (id) => ({ operations: [running(`op${id}`)], nextPageToken: '' }),
      unreadable: ['vmbad'],
    });

    // Not retried: the same page would come back the same.
    expect(server.calls.filter((c) => c.startsWith('ListOperations vmbad'))).toHaveLength(1);
    expect(line('sweep listing failed')).toMatchObject({
      listing: 'operations of compute.instance vmbad',
      code: 'INTERNAL',
      retryable: false,
      message: expect.stringContaining('its answer could not be read'),
    });
    expect(server.calls).toContain('Cancel opvmgood');
    // The timer is not asked to deliver again for it.
    expect(line('invocation summary')).toMatchObject({ sweep: { failedListings: 0 } });
    expect(fn.lines.some((l) => l.msg === 'invocation refused')).toBe(false);
  });

  it('leaves alone an operation created at a time no date holds, and takes the rest of its page', async () => {
    const { server, line } = await sweepAgainst({
      instances: ['vm1'],
      page: () => ({ operations: [running('opgood')], nextPageToken: '' }),
      outOfRange: ['vm1'],
    });

    // The operation of 2^62 seconds has no age, so it is not stuck; its page is read all the same.
    expect(server.calls.filter((c) => /^(Get|Cancel) /.test(c))).toEqual([
      'Get opgood',
      'Cancel opgood',
    ]);
    expect(line('sweep listed')).toMatchObject({ operations: 2, candidates: 1 });
  });

  it(`keeps the first ${SWEEP_BOUNDS.kept} candidates of a listing that says everything is stuck`, async () => {
    const { line } = await sweepAgainst({
      instances: ['vm1'],
      page: () => ({
        operations: Array.from({ length: SWEEP_BOUNDS.kept + 1000 }, (_, i) => running(`s${i}`)),
        nextPageToken: '',
      }),
    });

    expect(line('sweep kept the first found')).toMatchObject({ level: 'WARN', unkept: 1000 });
    expect(line('sweep refused')).toMatchObject({ candidates: SWEEP_BOUNDS.kept });
    expect(
      (line('sweep refused') as { refusedCandidates: unknown[] }).refusedCandidates,
    ).toHaveLength(50);
  });

  it('keeps only the stuck one of 20,000 finished operations on a resource', async () => {
    const page = (token: string) => {
      const start = Number(token || 0);
      const operations = Array.from({ length: 1000 }, (_, i) => ({
        ...running(`done${start + i}`),
        done: true,
      }));
      if (start === 19_000) operations.push(running('stuckone'));
      return { operations, nextPageToken: start + 1000 < 20_000 ? String(start + 1000) : '' };
    };
    const { server, line } = await sweepAgainst({
      instances: ['vm1'],
      page: (_id, token) => page(token),
    });

    expect(server.calls.filter((c) => /^(Get|Cancel) /.test(c))).toEqual([
      'Get stuckone',
      'Cancel stuckone',
    ]);
    expect(line('sweep listed')).toMatchObject({ operations: 20_001, candidates: 1 });
  });
});
