'use strict';
// Not part of the platform's runtime: preloaded (`node --require`) by emulator/runtime.ts so tests
// can read the instance's memory as its own process sees it, even mid-invocation, over the IPC
// channel fork() opens. It writes nothing, so stdout stays the function's and the runtime's.

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

process.on('message', (message) => {
  if (message?.type !== 'stats') return;
  process.send({ type: 'stats', id: message.id, stats: memoryStats() }, (err) => {
    if (err) process.stderr.write(`[probe] cannot send stats: ${err.message}\n`);
  });
});

// Without the emulator nobody can invoke or stop this instance, so it does not linger.
process.on('disconnect', () => process.exit(0));
