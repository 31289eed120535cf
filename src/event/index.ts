import type { Adapter } from './adapter';
import { handOffAdapter } from './hand-off';
import { httpAdapter } from './http';
import { queueAdapter } from './queue';
import { rawAdapter } from './raw';
import { timerAdapter } from './timer';

/**
 * Asked in order; raw takes anything, so it is the fallback. The cast erases each adapter's event
 * type: an adapter only ever receives events its own `matches` accepted.
 */
const ADAPTERS = [
  httpAdapter,
  timerAdapter,
  queueAdapter,
  handOffAdapter,
] as unknown as readonly Adapter[];

export function adapterFor(event: unknown): Adapter {
  return ADAPTERS.find((adapter) => adapter.matches(event)) ?? rawAdapter;
}
