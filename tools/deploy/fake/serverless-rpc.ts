import { type handleUnaryCall, type Metadata, status } from '@grpc/grpc-js';
import type { Any } from '@yandex-cloud/nodejs-sdk/google/protobuf/any';
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import {
  budgetForNext,
  type Fault,
  type FaultBudget,
  replyWithFault,
  spend,
} from '../../../emulator/index';
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
export type Mutation = {
  description: string;
  /** Unset where the API's documented answers carry none (Monitoring's dashboards). */
  metadata?: Any;
} & (
  | {
      /** Makes the change and returns the resulting resource; skipped when the operation fails. */
      apply(): Any;
    }
  | {
      /**
       * What the operation ends in instead of a change: a refusal an API reports inside a
       * finished operation rather than as the call's status (Monitoring's stale etag).
       */
      error: OperationError;
    }
);

/** Packs a message as the API packs Operation.metadata and Operation.response. */
export const packAny = <T>(
  typeName: string,
  codec: { encode(message: T): { finish(): Uint8Array } },
  message: T,
): Any => ({
  typeUrl: `type.googleapis.com/${typeName}`,
  value: Buffer.from(codec.encode(message).finish()),
});

/**
 * The API design guide's "Idempotency" page: a mutating request may carry an `Idempotency-Key`
 * header holding a UUID (v4 recommended), and when an operation with that key was already created
 * the service returns that Operation with its current status instead of acting again. gRPC
 * metadata names are lowercase.
 */
export const IDEMPOTENCY_KEY = 'idempotency-key';

// "The header must contain the UUID"; what the API answers a key that is none is not public, so
// the emulator refuses it rather than let a deployer send one unnoticed.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const idempotencyKeyOf = (metadata: Metadata): string | undefined => {
  const [value] = metadata.get(IDEMPOTENCY_KEY);
  return typeof value === 'string' ? value : undefined;
};

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
    metadata?: Any;
    response?: Any;
    error?: OperationError;
  }): Operation;
  /** A published operation as OperationService.Get shows it now. */
  current(operationId: string): Operation;
}): RpcKit & RpcFaults {
  const rpcFaults = new Map<ServerlessMethod, FaultBudget>();
  const operationFaults = new Map<MutatingMethod, FaultBudget<OperationFault>>();
  // By method and key. Whether the API also answers a key reused on another method with the
  // first method's operation is not public; the emulator keeps each method's keys apart.
  const keyedOperations = new Map<string, string>();

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

  const ending = (
    method: MutatingMethod,
    planned: Mutation,
  ): { response: Any } | { error: OperationError } => {
    if ('error' in planned) return { error: planned.error };
    const fault = spend(operationFaults.get(method));
    // Not the whole fault: its `times` is the emulator's, no part of an operation's error.
    return fault === undefined
      ? { response: planned.apply() }
      : { error: { code: fault.code, message: fault.message } };
  };

  const publish = (method: MutatingMethod, planned: Mutation): Operation =>
    opts.publish({
      id: opts.newId(),
      description: planned.description,
      createdAt: new Date(),
      done: true,
      ...(planned.metadata !== undefined && { metadata: planned.metadata }),
      ...ending(method, planned),
    });

  const mutation: RpcKit['mutation'] = (method, subjectOf, plan) => (call, callback) => {
    const key = idempotencyKeyOf(call.metadata);
    const keyed = `${method} ${key}`;
    const run = (request: (typeof call)['request']): Outcome<Operation> => {
      if (key !== undefined && !UUID.test(key)) {
        return reject(status.INVALID_ARGUMENT, `${IDEMPOTENCY_KEY} ${key} is not a UUID`);
      }
      // A repeat is answered before validation: what it asks may clash with what the first did.
      const earlier = key === undefined ? undefined : keyedOperations.get(keyed);
      if (earlier !== undefined) return opts.current(earlier);
      const planned = plan(request);
      if (isRejection(planned)) return planned;
      const operation = publish(method, planned);
      if (key !== undefined) keyedOperations.set(keyed, operation.id);
      return operation;
    };
    return query(method, subjectOf, run)(call, callback);
  };

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
