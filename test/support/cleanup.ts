import { afterEach } from 'vitest';

type Closable = { close(): unknown };

/**
 * A `track` that keeps what a test starts and closes it after each test, last started first:
 * every test cleans up what it started, whatever it asserted.
 */
export function closedAfterEach(): <T extends Closable>(thing: T) => T {
  const started: Closable[] = [];
  afterEach(async () => {
    for (const thing of started.splice(0).reverse()) await thing.close();
  });
  return (thing) => {
    started.push(thing);
    return thing;
  };
}
