import { retryableHttp, retrying, type Tried } from '../../cloud/retry';

/** One POST of JSON with a deadline, and at most one retry of a failure a retry may mend. */
export interface PostOutcome {
  readonly ok: boolean;
  /** Why it failed, in words that never carry the URL: it may hold a secret (a bot token). */
  readonly reason?: string;
  readonly status?: number;
}

/** Why a 2xx answer still says the request failed, from its body; undefined when it did not. */
export type AnswerCheck = (answer: unknown) => string | undefined;

/** The most of an answer's body read for its check: the answers checked are a few fields. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * The answer's JSON, or undefined for one that is not, is longer than it may be read, or broke
 * off: the request was taken (2xx), so sending it again could write or say it twice.
 */
async function answerOf(response: Response): Promise<unknown> {
  const reader = response.body?.getReader();
  if (reader === undefined) return undefined;
  try {
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      bytes += read.value.byteLength;
      if (bytes > MAX_ANSWER_BYTES) {
        await reader.cancel();
        return undefined;
      }
      chunks.push(read.value);
    }
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A POST's outcome; a failed one says whether a second may mend it. */
type Posted = Tried<PostOutcome, PostOutcome>;

const posted = (outcome: PostOutcome, retryable = false): Posted =>
  outcome.ok ? { ok: true, value: outcome } : { ok: false, failure: outcome, retryable };

async function once(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  deadlineMs: number,
  check: AnswerCheck | undefined,
): Promise<Posted> {
  try {
    const signal = AbortSignal.timeout(Math.max(1, deadlineMs));
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal,
    });
    if (response.ok && check !== undefined) {
      const failed = check(await answerOf(response));
      if (failed === undefined) return posted({ ok: true, status: response.status });
      return posted({ ok: false, status: response.status, reason: failed });
    }
    await response.body?.cancel();
    if (response.ok) return posted({ ok: true, status: response.status });
    const answered = { ok: false, status: response.status, reason: `answered ${response.status}` };
    return posted(answered, retryableHttp(response.status));
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    // fetch's own messages can name the URL; only the kind of failure is kept.
    return posted({ ok: false, reason: timedOut ? 'no answer in time' : 'no connection' }, true);
  }
}

/** One retry, at once: a message or a metric late is worth less than the invocation's reply. */
const ONCE_MORE = { attempts: 2, delayMs: () => 0 } as const;

/**
 * Posts within `deadlineMs` in all, retrying once if there is time left; `check` reads a 2xx
 * answer's body for a failure it reports all the same.
 */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  deadlineMs: number,
  check?: AnswerCheck,
): Promise<PostOutcome> {
  const ends = Date.now() + deadlineMs;
  const ended = await retrying(
    (n) => once(url, body, headers, n === 1 ? deadlineMs : ends - Date.now(), check),
    { policy: ONCE_MORE, remainingMs: () => ends - Date.now() },
  );
  if (ended.ok) return ended.value;
  return ended.attempts > 1
    ? { ...ended.failure, reason: `${ended.failure.reason}, twice` }
    : ended.failure;
}
