'use strict';
// Stand-in for the Yandex Cloud Functions Node.js runtime, driven by emulator/runtime.ts
// over the IPC channel. stdout belongs to the function alone (each line is a log entry that
// tests parse as JSON), so every diagnostic of this file goes to stderr.

const path = require('node:path');

const DEFAULT_TIMEOUT_MS = 10_000;

const [bundleArg, entrypointArg] = process.argv.slice(2);
const entrypoint = entrypointArg || 'handler';

function diag(message) {
  process.stderr.write(`[runtime-child] ${message}\n`);
}

function send(message) {
  return new Promise((resolve, reject) => {
    if (!process.connected) {
      reject(new Error('IPC channel is closed'));
      return;
    }
    process.send(message, (err) => (err ? reject(err) : resolve()));
  });
}

function describeError(err) {
  if (err instanceof Error) {
    return { message: String(err.message), type: String(err.name || 'Error') };
  }
  return { message: String(err), type: 'Error' };
}

// Exit only after the parent has the message; a bundle may hold timers or sockets open, so
// waiting for the event loop to drain could hang forever.
function failLoad(message) {
  diag(`load error: ${message}`);
  send({ type: 'load-error', message }).then(
    () => process.exit(1),
    () => process.exit(1),
  );
}

let handler;
try {
  if (!bundleArg) throw new Error('runtime-child: bundle path argument is missing');
  // The platform requires the bundle once per instance; warm invocations reuse the module.
  const mod = require(path.resolve(bundleArg));
  handler = mod == null ? undefined : mod[entrypoint];
  if (typeof handler !== 'function') {
    throw new Error(`entrypoint "${entrypoint}" is not a function exported by ${bundleArg}`);
  }
} catch (err) {
  handler = undefined;
  failLoad(err instanceof Error ? err.stack || err.message : String(err));
}

function buildContext(raw, event, startedAt) {
  const timeoutMs =
    typeof raw.timeoutMs === 'number' && Number.isFinite(raw.timeoutMs)
      ? raw.timeoutMs
      : DEFAULT_TIMEOUT_MS;
  const context = {
    requestId: raw.requestId,
    functionName: raw.functionName,
    functionVersion: raw.functionVersion,
    memoryLimitInMB: raw.memoryLimitInMB,
    getRemainingTimeInMillis() {
      return Math.max(0, timeoutMs - (Date.now() - startedAt));
    },
    getPayload() {
      const body = event != null && typeof event === 'object' ? event.body : undefined;
      if (typeof body !== 'string') return undefined;
      try {
        return JSON.parse(body);
      } catch {
        return undefined;
      }
    },
  };
  // Without a service account the platform passes no token at all, not a null one.
  if (raw.token != null) context.token = raw.token;
  return context;
}

async function invoke(message) {
  const startedAt = Date.now();
  const { id, event } = message;
  const context = buildContext(message.context || {}, event, startedAt);
  let reply;
  try {
    const result = await handler(event, context);
    reply = { id, ok: true, result };
  } catch (err) {
    reply = { id, ok: false, error: describeError(err) };
  }
  try {
    await send(reply);
  } catch (err) {
    // A result the channel cannot serialize (BigInt, cycles) is the function's fault, so it is
    // reported as a failed invocation rather than leaving the caller waiting.
    diag(`cannot send reply for ${id}: ${describeError(err).message}`);
    await send({
      id,
      ok: false,
      error: {
        message: `result is not serializable: ${describeError(err).message}`,
        type: 'HarnessError',
      },
    }).catch(() => {});
  }
}

function memoryStats() {
  // rss is read before the peak, so the peak can never come out below it.
  const { rss, heapUsed } = process.memoryUsage();
  return {
    // resourceUsage() gives ru_maxrss as is: kilobytes.
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    rssBytes: rss,
    heapUsedBytes: heapUsed,
  };
}

if (handler) {
  process.on('message', (message) => {
    if (message != null && typeof message === 'object' && message.type === 'stats') {
      send({ type: 'stats', id: message.id, stats: memoryStats() }).catch((err) => {
        diag(`cannot send stats: ${describeError(err).message}`);
      });
      return;
    }
    if (message == null || typeof message !== 'object' || message.id === undefined) {
      diag(`ignoring unexpected message: ${JSON.stringify(message)}`);
      return;
    }
    // Not awaited: the platform runs concurrent invocations of one instance side by side.
    void invoke(message);
  });
  // Without the parent nobody can invoke or kill this instance, so do not linger as an orphan.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready' }).catch((err) => {
    diag(`cannot report readiness: ${describeError(err).message}`);
    process.exit(1);
  });
}
