/** One POST of JSON with a deadline, and at most one retry of a failure a retry may mend. */
export interface PostOutcome {
  readonly ok: boolean;
  /** Why it failed, in words that never carry the URL: it may hold a secret (a bot token). */
  readonly reason?: string;
  readonly status?: number;
}

const RETRYABLE = (status: number) => status === 429 || status >= 500;

async function once(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  deadlineMs: number,
): Promise<PostOutcome & { retryable: boolean }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(Math.max(1, deadlineMs)),
    });
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

/** Posts within `deadlineMs` in all, retrying once if there is time left. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  deadlineMs: number,
): Promise<PostOutcome> {
  const ends = Date.now() + deadlineMs;
  const first = await once(url, body, headers, deadlineMs);
  if (first.ok || !first.retryable || ends - Date.now() <= 0) return first;
  const second = await once(url, body, headers, ends - Date.now());
  return second.ok ? second : { ...second, reason: `${second.reason}, twice` };
}
