import { invokeSelf, type SelfInvokeDeps } from '../cloud/invoke-async';
import { HandOnError } from '../errors';
import { type Logger, LogLevel } from '../log';
import type { Origin } from '../model';

export interface Deferred {
  readonly origin: Origin;
  readonly deferred: unknown;
}

/**
 * Hands the messages of a batch past the invocation's bound on, unread, as a batch of their own:
 * an asynchronous call of this function, which the platform retries and, failing that, sends to
 * the failure target. The platform answers a queue batch whole (it has no partial reply), so this
 * is how they are not lost. It runs before anything is cancelled: if the call fails, the
 * invocation fails, and the batch comes again with nothing done twice. Off the platform there is
 * no function to call; the messages are refused by name instead. What it hands on is refused.
 */
export async function handOn(
  deferred: readonly Deferred[],
  deps: Omit<SelfInvokeDeps, 'functionId'> & { functionId?: string; log: Logger },
): Promise<readonly string[]> {
  if (deferred.length === 0) return [];
  const { log, functionId } = deps;
  const first = deferred[0]?.origin;
  if (functionId === undefined) {
    const message = `${deferred.length} message(s) past MAX_OPERATIONS were not processed: no function id in the invocation context (not on the platform) to hand them on to`;
    log.log(LogLevel.Error, 'batch rest not handed on', { ...first, messages: deferred.length });
    return deferred.map(() => message);
  }
  const event = { messages: deferred.map((d) => d.deferred) };
  const reason = await invokeSelf(JSON.stringify(event), { ...deps, functionId });
  if (reason !== undefined) throw new HandOnError(deferred.length, reason);
  log.log(LogLevel.Info, 'batch rest handed on', {
    ...first,
    messages: deferred.length,
    reason: 'the batch names more than MAX_OPERATIONS operations in all',
  });
  return [];
}
