import type { Server, ServerUnaryCall, ServiceDefinition, sendUnaryData } from '@grpc/grpc-js';

type HeldCall = Pick<ServerUnaryCall<unknown, unknown>, 'cancelled' | 'once' | 'off'>;
type Handler = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;

/** Answers held back as a remote API's round trip holds them, each let go when the server closes. */
export interface Holds {
  /**
   * Resolves true after `ms`, or false when the client cancels the call (or the server closes)
   * first, so a client deadline is observed as the client would see it from a slow API.
   */
  hold(ms: number, call: HeldCall): Promise<boolean>;
  /**
   * The server, but each service added through it has the methods `methodsOf` names answer
   * `latencyMs` late; the server itself when there is no latency.
   */
  slowed(
    server: Server,
    latencyMs: number,
    methodsOf: (service: ServiceDefinition) => readonly string[],
  ): Server;
  /** Ends every hold at once, as unanswered. */
  release(): void;
}

export function createHolds(): Holds {
  const pending = new Set<() => void>();

  const hold: Holds['hold'] = (ms, call) =>
    new Promise<boolean>((resolve) => {
      if (call.cancelled) return resolve(false);
      const finish = (completed: boolean) => {
        clearTimeout(timer);
        call.off('cancelled', onCancelled);
        pending.delete(onCancelled);
        resolve(completed);
      };
      const onCancelled = () => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      call.once('cancelled', onCancelled);
      pending.add(onCancelled);
    });

  const late =
    (latencyMs: number, handler: Handler): Handler =>
    (call, callback) =>
      handler(call, (...answer) => {
        void hold(latencyMs, call).then((completed) => completed && callback(...answer));
      });

  const slowed: Holds['slowed'] = (target, latencyMs, methodsOf) => {
    if (latencyMs <= 0) return target;
    return new Proxy(target, {
      get: (server, property, receiver) =>
        property !== 'addService'
          ? Reflect.get(server, property, receiver)
          : (service: ServiceDefinition, implementation: Record<string, unknown>) => {
              const held = { ...implementation };
              for (const name of methodsOf(service)) {
                const handler = held[name];
                if (typeof handler === 'function') held[name] = late(latencyMs, handler as Handler);
              }
              server.addService(service, held as never);
            },
    });
  };

  return {
    hold,
    slowed,
    release: () => {
      for (const cancel of [...pending]) cancel();
    },
  };
}
