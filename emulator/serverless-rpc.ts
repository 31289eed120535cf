import { type handleUnaryCall, type Metadata, status } from '@grpc/grpc-js';
import type { Any } from '@yandex-cloud/nodejs-sdk/google/protobuf/any';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { budgetForNext, type Fault, type FaultBudget, replyWithFault, spend } from './fault';
import type { MutatingMethod, ServerlessMethod, ServerlessRequests } from './serverless-methods';

/** An answer refused before anything changes, as the real API validates synchronously. */
export interface Rejection {
  rejected: { code: status; details: string };
}

export type Outcome<T> = T | Rejection;

export const reject = (code: status, details: string): Rejection => ({
  rejected: { code, details },
});

export const isRejection = (outcome: unknown): outcome is Rejection =>
  typeof outcome === 'object' && outcome !== null && 'rejected' in outcome;

/** A change a mutating call asked for and that passed validation, not yet made. */
export interface Mutation {
  description: string;
  metadata: Any;
  /** Makes the change and returns the resulting resource; skipped when the operation fails. */
  apply(): Any;
}

/** Packs a message as the API packs Operation.metadata and Operation.response. */
export const packAny = <T>(
  typeName: string,
  codec: { encode(message: T): { finish(): Uint8Array } },
  message: T,
): Any => ({
  typeUrl: `type.googleapis.com/${typeName}`,
  value: Buffer.from(codec.encode(message).finish()),
});

export interface OperationError {
  code: number;
  message: string;
}

export interface RpcKit {
  query<M extends ServerlessMethod, Response>(
    method: M,
    subjectOf: (request: ServerlessRequests[M]) => string,
    run: (request: ServerlessRequests[M]) => Outcome<Response>,
  ): handleUnaryCall<ServerlessRequests[M], Response>;
  mutation<M extends MutatingMethod>(
    method: M,
    subjectOf: (request: ServerlessRequests[M]) => string,
    plan: (request: ServerlessRequests[M]) => Outcome<Mutation>,
  ): handleUnaryCall<ServerlessRequests[M], Operation>;
}

export interface RpcFaults {
  /** Fails the next `fault.times` (default 1) calls of `method` with an RPC error. */
  failNext(method: ServerlessMethod, fault: Fault | undefined): void;
  /** Ends the next `times` (default 1) valid calls of `method` in a failed operation. */
  failOperation(method: MutatingMethod, error: OperationFault | undefined): void;
}

type OperationFault = OperationError & { times?: number };

export function createRpcKit(opts: {
  /** Records the call and returns the headers to answer it with. */
  record(
    call: { method: ServerlessMethod; subject: string; request: object },
    metadata: Metadata,
  ): Metadata;
  newId(): string;
  /** Makes a finished operation visible to OperationService.Get, and returns it as Get shows it. */
  publish(operation: {
    id: string;
    description: string;
    createdAt: Date;
    done: true;
    metadata: Any;
    response?: Any;
    error?: OperationError;
  }): Operation;
}): RpcKit & RpcFaults {
  const rpcFaults = new Map<ServerlessMethod, FaultBudget>();
  const operationFaults = new Map<MutatingMethod, FaultBudget<OperationFault>>();

  const query: RpcKit['query'] = (method, subjectOf, run) => (call, callback) => {
    const subject = subjectOf(call.request);
    const headers = opts.record({ method, subject, request: call.request }, call.metadata);
    const fault = spend(rpcFaults.get(method));
    if (fault !== undefined) {
      const details = `injected ${status[fault.code]} on ${method} ${subject}`;
      return replyWithFault(call, callback, fault, headers, details);
    }
    const outcome = run(call.request);
    if (isRejection(outcome)) {
      const { code, details } = outcome.rejected;
      return replyWithFault(call, callback, { code, message: details }, headers, details);
    }
    call.sendMetadata(headers);
    callback(null, outcome);
  };

  const mutation: RpcKit['mutation'] = (method, subjectOf, plan) =>
    query(method, subjectOf, (request) => {
      const planned = plan(request);
      if (isRejection(planned)) return planned;
      const error = spend(operationFaults.get(method));
      return opts.publish({
        id: opts.newId(),
        description: planned.description,
        createdAt: new Date(),
        done: true,
        metadata: planned.metadata,
        // Not the whole fault: its `times` is the emulator's, no part of an operation's error.
        ...(error === undefined
          ? { response: planned.apply() }
          : { error: { code: error.code, message: error.message } }),
      });
    });

  return {
    query,
    mutation,
    failNext: (method, fault) => {
      rpcFaults.set(method, budgetForNext(fault));
    },
    failOperation: (method, error) => {
      operationFaults.set(method, budgetForNext(error));
    },
  };
}
