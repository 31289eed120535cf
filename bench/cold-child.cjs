'use strict';
// One cold start, as the platform does it: a fresh process requires the bundle and invokes its
// handler once. The report goes to fd 3, because stdout belongs to the function's log lines.
// Timestamps are performance.now(), which counts from this process's start.

const fs = require('node:fs');

const bootMs = performance.now();
const [bundlePath, eventJson] = process.argv.slice(2);
const TIMEOUT_MS = 60_000;

function report(outcome, requireMs, invokeMs) {
  // Read after the result, so the peak covers the load and the whole first invocation.
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  fs.writeSync(3, `${JSON.stringify({ ...outcome, bootMs, requireMs, invokeMs, maxRssBytes })}\n`);
  // The function's channel and timers would keep the process alive; the platform freezes it.
  process.exit(0);
}

const requireStart = performance.now();
let handler;
try {
  handler = require(bundlePath).handler;
} catch (error) {
  report({ ok: false, error: String(error?.stack ?? error) }, 0, 0);
}
const requireMs = performance.now() - requireStart;

const deadline = Date.now() + TIMEOUT_MS;
const context = {
  requestId: 'bench-cold-start',
  functionName: 'bench',
  token: { access_token: 't1.bench-token', expires_in: 3600, token_type: 'Bearer' },
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};
const invokeStart = performance.now();
Promise.resolve()
  .then(() => handler(JSON.parse(eventJson), context))
  .then(
    (result) => report({ ok: true, result }, requireMs, performance.now() - invokeStart),
    (error) =>
      report(
        { ok: false, error: String(error?.stack ?? error) },
        requireMs,
        performance.now() - invokeStart,
      ),
  );
