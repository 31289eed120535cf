/** One POST of JSON with a deadline, and at most one retry of a failure a retry may mend. */
export interface PostOutcome {
  readonly ok: boolean;
  /** Why it failed, in words that never carry the URL: it may hold a secret (a bot token). */
  readonly reason?: string;
  readonly status?: number;
}

const RETRYABLE = (status: number) => status === 429 || status >= 500;

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

async function once(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  deadlineMs: number,
  check: AnswerCheck | undefined,
): Promise<PostOutcome & { retryable: boolean }> {
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
      if (failed === undefined) return { ok: true, status: response.status, retryable: false };
      return { ok: false, status: response.status, reason: failed, retryable: false };
    }
    await response.body?.cancel();
    if (response.ok) return { ok: true, status: response.status, retryable: false };
    return {
      ok: false,
      status: response.status,
      reason: `answered ${response.status}`,
      retryable: RETRYABLE(response.status),
    };
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    // fetch's own messages can name the URL; only the kind of failure is kept.
    return { ok: false, reason: timedOut ? 'no answer in time' : 'no connection', retryable: true };
  }
}

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
  const first = await once(url, body, headers, deadlineMs, check);
  if (first.ok || !first.retryable || ends - Date.now() <= 0) return first;
  const second = await once(url, body, headers, ends - Date.now(), check);
  return second.ok ? second : { ...second, reason: `${second.reason}, twice` };
}
