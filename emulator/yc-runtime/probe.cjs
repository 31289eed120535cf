'use strict';
// Not part of the platform's runtime: preloaded (`node --require`) by emulator/runtime.ts so tests
// can read the instance's memory as its own process sees it, even mid-invocation, over the IPC
// channel fork() opens. It writes nothing, so stdout stays the function's and the runtime's.

const { readFileSync } = require('node:fs');

/**
 * This process's own peak resident set. On Linux ru_maxrss survives exec, so it starts at the
 * size of the parent that forked it (a test worker of 150 MB makes every instance look 150 MB);
 * VmHWM is the peak of this process's own memory. Elsewhere ru_maxrss is what there is.
 */
function peakRssBytes() {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb !== undefined) return Number(kb) * 1024;
  } catch {
    // No /proc: not Linux.
  }
  // resourceUsage() gives ru_maxrss as is: kilobytes.
  return process.resourceUsage().maxRSS * 1024;
}

function memoryStats() {
  // rss is read before the peak, so the peak can never come out below it.
  const { rss, heapUsed } = process.memoryUsage();
  return { maxRssBytes: peakRssBytes(), rssBytes: rss, heapUsedBytes: heapUsed };
}

process.on('message', (message) => {
  if (message?.type !== 'stats') return;
  process.send({ type: 'stats', id: message.id, stats: memoryStats() }, (err) => {
    if (err) process.stderr.write(`[probe] cannot send stats: ${err.message}\n`);
  });
});

// Without the emulator nobody can invoke or stop this instance, so it does not linger.
process.on('disconnect', () => process.exit(0));
