import { type Server, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import type { Any } from '@yandex-cloud/nodejs-sdk/google/protobuf/any';
import { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import {
  type CancelOperationRequest,
  type GetOperationRequest,
  OperationServiceService,
} from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import { Cancellability, cancellabilityOf, typeName } from '../../src/cancellable';
import {
  type Answer,
  budgetFor,
  type Fault,
  type FaultBudget,
  injected,
  refusal,
  send,
} from './fault';
import type { Holds } from './latency';
import type { RecordedCall, Recorder } from './recorder';

export interface FakeOperation {
  id: string;
  description?: string;
  createdAt?: Date;
  createdBy?: string;
  done?: boolean;
  error?: { code: number; message: string };
  get?: Fault;
  /**
   * How Cancel goes: it cancels at once (the default), accepts and never ends, lets the operation
   * finish, cancels it after `cancelTakesMs`, or (`ends-first`) finds it ended a moment before
   * and refuses with FAILED_PRECONDITION. What a real service answers a Cancel of an ended
   * operation is not documented (audit 6.5); `ends-first` is the reading the function must
   * tolerate, and an ended operation Cancel is otherwise asked about is returned as it is.
   */
  cancel?: Fault | 'cancels' | 'accepts' | 'finishes' | 'slowly' | 'ends-first';
  /** With cancel 'slowly': how long after Cancel the operation ends cancelled (default 5000). */
  cancelTakesMs?: number;
  delayMs?: number;
  /** The resource whose ListOperations returns this operation; Get and Cancel see the same one. */
  resourceId?: string;
  /**
   * Other resources whose ListOperations return it too. Nothing public says one operation is
   * listed under one resource only (an instance's Create also makes its boot disk), so the
   * sweep must take either reading, and this lets a test give it the other.
   */
  alsoListedBy?: readonly string[];
  /** Until a Cancel changes it; defaults to createdAt. */
  modifiedAt?: Date;
  metadata?: Any;
  /** The result once done without error; unset, a Cancel that lets it finish leaves Empty. */
  response?: Any;
  /**
   * A hostile-server fault, not platform behaviour: how Get's and Cancel's answers are written
   * instead of by Operation.encode (test/support/hostile-operations.ts has the tests' ones).
   */
  write?: (answer: Operation, method: OperationMethod) => Uint8Array;
}

export type OperationMethod = 'Get' | 'Cancel';
type Call = ServerUnaryCall<GetOperationRequest | CancelOperationRequest, Operation>;

// What a finished operation's `response` holds does not matter to a canceller, so it is Empty.
const EMPTY_RESPONSE = {
  typeUrl: 'type.googleapis.com/google.protobuf.Empty',
  value: Buffer.alloc(0),
};

interface OperationState {
  op: FakeOperation;
  done: boolean;
  error?: { code: number; message: string };
  finished: boolean;
  modifiedAt?: Date;
  /** When a slow cancellation completes; checked on each call, so no timer outlives the server. */
  cancelledAt?: number;
  /** How many more Gets answer NOT_FOUND, as for an operation not on every replica yet. */
  unseenGets: number;
  // Fault budgets are spent per set() of an operation, so reset() (forgetting calls) keeps them.
  faults: Record<OperationMethod, FaultBudget>;
}

/** Answers that a hostile `write` writes. */
const writers = new WeakMap<Operation, (answer: Operation) => Uint8Array>();

const encodeOperation = (answer: Operation): Buffer =>
  Buffer.from(writers.get(answer)?.(answer) ?? Operation.encode(answer).finish());

const OPERATION_SERVICE = {
  get: { ...OperationServiceService.get, responseSerialize: encodeOperation },
  cancel: { ...OperationServiceService.cancel, responseSerialize: encodeOperation },
} as const;

function stateOf(op: FakeOperation): OperationState {
  return {
    op: { ...op },
    done: op.done ?? false,
    error: op.error && { ...op.error },
    finished: false,
    unseenGets: 0,
    faults: {
      Get: budgetFor(op.get),
      // A string cancel is how Cancel succeeds, not a fault.
      Cancel: budgetFor(typeof op.cancel === 'object' ? op.cancel : undefined),
    },
  };
}

function toOperation(state: OperationState): Operation {
  const { op } = state;
  // An operation holds a result only once done, and then either an error or a response.
  const succeeded = state.done && state.error === undefined;
  return {
    id: op.id,
    description: op.description ?? '',
    createdAt: op.createdAt,
    createdBy: op.createdBy ?? '',
    modifiedAt: state.modifiedAt ?? op.modifiedAt ?? op.createdAt,
    done: state.done,
    metadata: op.metadata,
    error: state.error && { ...state.error, details: [] },
    response: succeeded
      ? (op.response ?? (state.finished ? EMPTY_RESPONSE : undefined))
      : undefined,
  };
}

function markCancelled(state: OperationState): void {
  state.done = true;
  state.modifiedAt = new Date();
  state.error = { code: status.CANCELLED, message: 'operation cancelled' };
}

function settleSlowCancel(state: OperationState): void {
  if (!state.done && state.cancelledAt !== undefined && Date.now() >= state.cancelledAt) {
    markCancelled(state);
  }
}

function finish(state: OperationState): void {
  state.done = true;
  state.modifiedAt = new Date();
  state.finished = true;
}

/** Cancels as the operation's mode says; false when Cancel refuses instead. */
function cancel(state: OperationState): boolean {
  // An operation that already ended is returned as it is; there is nothing left to cancel.
  if (state.done) return true;
  const mode = typeof state.op.cancel === 'string' ? state.op.cancel : 'cancels';
  if (mode === 'ends-first') {
    finish(state);
    return false;
  }
  if (mode === 'accepts') return true;
  if (mode === 'slowly') {
    state.cancelledAt ??= Date.now() + (state.op.cancelTakesMs ?? 5000);
  } else if (mode === 'finishes') {
    finish(state);
  } else {
    markCancelled(state);
  }
  return true;
}

/**
 * Why Cancel refuses this operation, if it does. The protos mark only some methods' operations
 * cancellable (src/cancellable.ts). Which status the API refuses the others with is not
 * documented; the emulator takes FAILED_PRECONDITION, which the function reads with a Get, as it
 * does UNIMPLEMENTED.
 */
function cancelRefusal(state: OperationState): string | undefined {
  const metadataType = state.op.metadata?.typeUrl;
  if (!state.done && cancellabilityOf(metadataType) === Cancellability.NotCancellable) {
    return `an operation of ${typeName(metadataType ?? '')} cannot be cancelled`;
  }
  return cancel(state) ? undefined : `operation ${state.op.id} is already done`;
}

/** The answer a Get or Cancel gets, written as the operation asks. */
function answerOf(state: OperationState, method: OperationMethod): Operation {
  const answer = toOperation(state);
  const { write } = state.op;
  if (write !== undefined) writers.set(answer, (written) => write(written, method));
  return answer;
}

/** OperationService's Get and Cancel over the operations a test sets, and the state they share. */
export interface Operations {
  /** A list, not arguments: a spread of 160,000 operations (the bench's) overflows the stack. */
  set(ops: readonly FakeOperation[]): void;
  has(id: string): boolean;
  /** An operation as Get shows it now. */
  shown(id: string): Operation;
  /** Answers the operation's next `times` Gets NOT_FOUND, as a replica that has not seen it. */
  hideFromGets(id: string, times: number): void;
  /** The operations a resource's ListOperations returns, in the order they were first set. */
  operationsOf(resourceId: string): Operation[];
  addTo(server: Server): void;
}

export function createOperations(opts: {
  recorder: Pick<Recorder<RecordedCall<OperationMethod>>, 'record'>;
  holds: Pick<Holds, 'hold'>;
}): Operations {
  const states = new Map<string, OperationState>();
  // Operation ids by the resource that lists them, so a listing does not scan every operation.
  const byResource = new Map<string, Set<string>>();

  const listers = (op: FakeOperation | undefined) =>
    op?.resourceId === undefined ? [] : [op.resourceId, ...(op.alsoListedBy ?? [])];
  const set = (op: FakeOperation) => {
    for (const previous of listers(states.get(op.id)?.op)) byResource.get(previous)?.delete(op.id);
    for (const resourceId of listers(op)) {
      const ids = byResource.get(resourceId) ?? new Set<string>();
      ids.add(op.id);
      byResource.set(resourceId, ids);
    }
    states.set(op.id, stateOf(op));
  };

  const answer = (
    method: OperationMethod,
    subject: string,
    state: OperationState | undefined,
  ): Answer<Operation> => {
    const unseen = method === 'Get' && state !== undefined && state.unseenGets > 0;
    if (unseen) state.unseenGets -= 1;
    if (state === undefined || unseen) {
      return refusal(status.NOT_FOUND, `operation ${subject} not found`);
    }
    const fault = injected(state.faults[method], method, subject);
    if (fault !== undefined) return fault;
    settleSlowCancel(state);
    const refused = method === 'Cancel' ? cancelRefusal(state) : undefined;
    if (refused !== undefined) return refusal(status.FAILED_PRECONDITION, refused);
    return answerOf(state, method);
  };

  const handle =
    (method: OperationMethod) =>
    async (call: Call, callback: sendUnaryData<Operation>): Promise<void> => {
      const subject = call.request.operationId;
      const headers = opts.recorder.record({ method, subject }, call.metadata);
      // Answered from the state the call arrived at, however long it is held.
      const state = states.get(subject);
      const delayMs = state?.op.delayMs;
      if (delayMs !== undefined && !(await opts.holds.hold(delayMs, call))) return;
      send(call, callback, headers, answer(method, subject, state));
    };

  const shown = (id: string): Operation => {
    const state = states.get(id);
    if (state === undefined) throw new Error(`operation ${id} was never set`);
    return toOperation(state);
  };

  return {
    set: (ops) => {
      for (const op of ops) set(op);
    },
    has: (id) => states.has(id),
    shown,
    hideFromGets: (id, times) => {
      const state = states.get(id);
      if (state !== undefined) state.unseenGets = times;
    },
    operationsOf: (resourceId) =>
      [...(byResource.get(resourceId) ?? [])].flatMap((id) => {
        const state = states.get(id);
        if (state === undefined) return [];
        settleSlowCancel(state);
        return [toOperation(state)];
      }),
    addTo: (server) =>
      server.addService(OPERATION_SERVICE, { get: handle('Get'), cancel: handle('Cancel') }),
  };
}
