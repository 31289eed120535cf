import {
  type FunctionRuntime,
  type StartRuntimeOptions,
  startRuntime as startInstance,
} from '../../emulator/runtime';

/**
 * An instance whose stdout is read as a test reads it: the function's JSON lines, the runtime's
 * own `[ERROR] …` lines (runtime.js `Errors.logError` in the public dump of the runtime), and
 * anything else. npm start and npm run invoke only pass the lines on; tests look into them.
 */
export interface RecordedRuntime extends FunctionRuntime {
  /** Every stdout line that parsed as a JSON object, in arrival order. */
  readonly lines: Array<Record<string, unknown>>;
  /** The runtime's own `[ERROR] …` lines: one per failed invocation or uncaught error. */
  runtimeErrorLines(): string[];
  /** Every other stdout line; every line a function writes should be a JSON object. */
  nonJsonLines(): string[];
  /** Every stdout line, joined. */
  rawStdout(): string;
  /** The log lines of one invocation, by the `request_id` the function puts on each. */
  linesFor(requestId: string): Array<Record<string, unknown>>;
  /**
   * Stdout and the runtime API are separate channels, so an invocation's result may arrive
   * before its log lines; wait here instead of reading `lines` right after `invoke` resolves.
   */
  waitForLine(pred: (l: Line) => boolean, timeoutMs?: number): Promise<Line>;
}

type Line = Record<string, unknown>;

const LINE_WAIT_MS = 5_000;
const RUNTIME_ERROR_PREFIX = '[ERROR] ';

interface LineWaiter {
  pred: (l: Line) => boolean;
  resolve: (l: Line) => void;
}

function jsonObject(line: string): Line | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Line)
      : undefined;
  } catch {
    return undefined;
  }
}

class StdoutRecord {
  readonly lines: Line[] = [];
  readonly nonJson: string[] = [];
  readonly runtimeErrors: string[] = [];
  readonly all: string[] = [];
  ended: string | undefined;
  readonly waiters = new Set<LineWaiter>();
  /** Set once the instance is started: settles with why it exited. */
  exited: Promise<string> = new Promise(() => {});

  add(line: string): void {
    this.all.push(line);
    // A function printing such a line itself is counted here too: the platform cannot tell either.
    if (line.startsWith(RUNTIME_ERROR_PREFIX)) return void this.runtimeErrors.push(line);
    const value = jsonObject(line);
    if (value === undefined) return void this.nonJson.push(line);
    this.lines.push(value);
    for (const waiter of this.waiters) {
      if (waiter.pred(value)) {
        this.waiters.delete(waiter);
        waiter.resolve(value);
      }
    }
  }

  waitFor(pred: (l: Line) => boolean, timeoutMs: number): Promise<Line> {
    const found = this.lines.find(pred);
    if (found) return Promise.resolve(found);
    if (this.ended !== undefined) {
      return Promise.reject(new Error(`no matching stdout line; ${this.ended}`));
    }
    return new Promise<Line>((resolve, reject) => {
      const waiter: LineWaiter = { pred, resolve };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const stdout = this.all.join('\n').slice(-2_000);
        reject(new Error(`no matching stdout line within ${timeoutMs} ms; stdout:\n${stdout}`));
      }, timeoutMs);
      waiter.resolve = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
      // The instance is gone: no line can come.
      void this.exited.then((reason) => {
        if (!this.waiters.delete(waiter)) return;
        clearTimeout(timer);
        reject(new Error(`no matching stdout line; ${reason}`));
      });
      this.waiters.add(waiter);
    });
  }
}

/** The emulator's instance, with its stdout recorded line by line. */
export async function startRuntime(opts: StartRuntimeOptions): Promise<RecordedRuntime> {
  const record = new StdoutRecord();
  const runtime = await startInstance({
    ...opts,
    onStdoutLine: (line) => {
      record.add(line);
      opts.onStdoutLine?.(line);
    },
  });
  record.exited = runtime.exited.then((reason) => {
    record.ended = reason;
    return reason;
  });
  return Object.assign(runtime, {
    lines: record.lines,
    runtimeErrorLines: () => [...record.runtimeErrors],
    nonJsonLines: () => [...record.nonJson],
    rawStdout: () => record.all.join('\n'),
    linesFor: (requestId: string) => record.lines.filter((l) => l.request_id === requestId),
    waitForLine: (pred: (l: Line) => boolean, timeoutMs = LINE_WAIT_MS) =>
      record.waitFor(pred, timeoutMs),
  });
}
