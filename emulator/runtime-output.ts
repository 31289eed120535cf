/**
 * What an instance writes, split as a reader of its log would: the function's JSON lines, the
 * runtime's own `[ERROR] …` lines (runtime.js `Errors.logError` in the public dump of the
 * runtime), and anything else.
 */
const TAIL_CHARS = 2_000;
const RUNTIME_ERROR_PREFIX = '[ERROR] ';

type Line = Record<string, unknown>;

interface LineWaiter {
  pred: (l: Line) => boolean;
  resolve: (l: Line) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export interface OutputHooks {
  /**
   * Called once per complete stdout line (of any kind, without its line break) as it arrives,
   * after the line is recorded; the last line is also passed at exit if it lacks a line break.
   * It must not throw: it runs inside the pipe's 'data' handler.
   */
  onStdoutLine?: (line: string) => void;
  /** Called with each stderr chunk as it arrives, after it is recorded; it must not throw. */
  onStderr?: (text: string) => void;
}

export function tail(text: string): string {
  return text.length > TAIL_CHARS ? `…${text.slice(-TAIL_CHARS)}` : text;
}

function isJsonObject(value: unknown): value is Line {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parsed(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

export class RuntimeOutput {
  readonly lines: Line[] = [];
  readonly nonJson: string[] = [];
  readonly runtimeErrors: string[] = [];
  stdout = '';
  stderr = '';
  #partial = '';
  #ended: string | undefined;
  readonly #waiters = new Set<LineWaiter>();

  constructor(private readonly hooks: OutputHooks) {}

  onStdout(chunk: string): void {
    this.stdout += chunk;
    const parts = (this.#partial + chunk).split('\n');
    this.#partial = parts.pop() ?? '';
    for (const part of parts) this.#onLine(part.endsWith('\r') ? part.slice(0, -1) : part);
  }

  onStderr(chunk: string): void {
    this.stderr += chunk;
    this.hooks.onStderr?.(chunk);
  }

  /** The pipes are closed: a last line without a line break counts, and no waiter can be met. */
  end(reason: string): void {
    if (this.#partial !== '') {
      const rest = this.#partial;
      this.#partial = '';
      this.#onLine(rest);
    }
    this.#ended = reason;
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.reject(new Error(`no matching stdout line; ${reason}`));
    }
    this.#waiters.clear();
  }

  waitForLine(pred: (l: Line) => boolean, timeoutMs: number): Promise<Line> {
    const found = this.lines.find(pred);
    if (found) return Promise.resolve(found);
    if (this.#ended !== undefined) {
      return Promise.reject(new Error(`no matching stdout line; ${this.#ended}`));
    }
    return new Promise((resolve, reject) => {
      const waiter: LineWaiter = {
        pred,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(
            new Error(
              `no matching stdout line within ${timeoutMs} ms; stdout:\n${tail(this.stdout)}`,
            ),
          );
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  #onLine(line: string): void {
    this.#record(line);
    this.hooks.onStdoutLine?.(line);
  }

  #record(line: string): void {
    // A function printing such a line itself is counted here too: the platform cannot tell either.
    if (line.startsWith(RUNTIME_ERROR_PREFIX)) {
      this.runtimeErrors.push(line);
      return;
    }
    const value = parsed(line);
    if (!isJsonObject(value)) {
      this.nonJson.push(line);
      return;
    }
    this.lines.push(value);
    for (const w of this.#waiters) {
      if (w.pred(value)) {
        this.#waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(value);
      }
    }
  }
}
