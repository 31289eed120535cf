/** What `npm run invoke` exits with, so a script can rely on it (README, "Trying it"). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Outcomes that mean the job was not done: a script should see them as a failure. */
const FAILING = ['failed', 'denied'] as const;

interface Reply {
  readonly error?: unknown;
  readonly statusCode?: unknown;
  readonly body?: unknown;
  readonly summary?: { readonly outcomes?: Readonly<Record<string, number>> };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The report inside a reply: the reply itself, or an HTTP reply's JSON body. */
function reportOf(reply: Reply): Reply {
  if (typeof reply.statusCode !== 'number' || typeof reply.body !== 'string') return reply;
  try {
    const body: unknown = JSON.parse(reply.body);
    return isRecord(body) ? body : {};
  } catch {
    return {};
  }
}

/**
 * 1 when the function threw, refused the request (an `error` reply, an HTTP status of 400 or
 * more), or an operation ended `failed` or `denied`; with `allowFailures`, only the first two.
 */
export function exitCodeOf(ok: boolean, result: unknown, allowFailures = false): number {
  if (!ok) return EXIT.failed;
  if (!isRecord(result)) return EXIT.ok;
  const reply = result as Reply;
  if (reply.error !== undefined) return EXIT.failed;
  if (typeof reply.statusCode === 'number' && reply.statusCode >= 400 && reply.statusCode !== 503) {
    return EXIT.failed;
  }
  if (allowFailures) return EXIT.ok;
  const outcomes = reportOf(reply).summary?.outcomes ?? {};
  return FAILING.some((outcome) => (outcomes[outcome] ?? 0) > 0) ? EXIT.failed : EXIT.ok;
}
