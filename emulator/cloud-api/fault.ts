import { type Metadata, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';

/** An error the emulator answers with instead of the normal reply, for the first `times` calls. */
export interface Fault {
  code: number;
  message?: string;
  times?: number;
  headersFirst?: boolean;
}

/** Anything that fails the first `times` calls; without `times`, every call. */
interface Limited {
  times?: number;
}

/** A fault and how many calls it has failed so far. */
export interface FaultBudget<T extends Limited = Fault> {
  fault?: T | undefined;
  spent: number;
}

export const budgetFor = <T extends Limited>(fault: T | undefined): FaultBudget<T> => ({
  fault,
  spent: 0,
});

/** A budget for the calls from now on; `times` defaults to one, as a "fail next" asks for. */
export const budgetForNext = <T extends Limited>(fault: T | undefined): FaultBudget<T> =>
  budgetFor(fault && { ...fault, times: fault.times ?? 1 });

/** The fault to answer this call with, if the budget has any left; counts it as spent. */
export function spend<T extends Limited>(budget: FaultBudget<T> | undefined): T | undefined {
  const fault = budget?.fault;
  if (budget === undefined || fault === undefined) return undefined;
  if (fault.times !== undefined && budget.spent >= fault.times) return undefined;
  budget.spent += 1;
  return fault;
}

export function replyWithFault<T>(
  call: ServerUnaryCall<unknown, T>,
  callback: sendUnaryData<T>,
  fault: Fault,
  headers: Metadata,
  defaultDetails: string,
): void {
  const details = fault.message ?? defaultDetails;
  if (fault.headersFirst) {
    call.sendMetadata(headers);
    callback({ code: fault.code, details });
  } else {
    // Sent before any header, grpc-js makes this a trailers-only response.
    callback({ code: fault.code, details, metadata: headers });
  }
}

/** What a handler makes of a call: its answer, or the error it refuses the call with. */
export type Answer<T> = T | Refusal;
export type Refusal = { readonly refused: Fault };

export const refusal = (code: status, message: string): Refusal => ({ refused: { code, message } });

/** The budget's next fault as a refusal; without a message of its own, it names the call. */
export function injected(
  budget: FaultBudget | undefined,
  method: string,
  subject: string,
): Refusal | undefined {
  const fault = spend(budget);
  if (fault === undefined) return undefined;
  const message = fault.message ?? `injected ${status[fault.code]} on ${method} ${subject}`;
  return { refused: { ...fault, message } };
}

const isRefusal = (answer: unknown): answer is Refusal =>
  typeof answer === 'object' && answer !== null && 'refused' in answer;

/** Sends the answer after the call's headers, or the refusal with them. */
export function send<T>(
  call: ServerUnaryCall<unknown, T>,
  callback: sendUnaryData<T>,
  headers: Metadata,
  answer: Answer<T>,
): void {
  if (isRefusal(answer)) {
    replyWithFault(call, callback, answer.refused, headers, '');
  } else {
    call.sendMetadata(headers);
    callback(null, answer);
  }
}

/**
 * What the platform answers a call when the folder's active operations are at their quota
 * (Compute Cloud's "Number of concurrent operations per folder", 15 by default:
 * https://yandex.cloud/en/docs/compute/concepts/limits), word for word as a user quoted it from
 * `compute.v1.InstanceService/Create`: "RESOURCE_EXHAUSTED: The limit on maximum number of active
 * operations has exceeded." (yc-actions/yc-github-runner #700, 2026-08-03; the same words, with
 * the stop, in the retry code of YDB's VM-deploy scripts and arenadata/ansible-module-yandex-cloud
 * #9). Every call while it lasts, or the first `times`.
 */
export const ACTIVE_OPERATIONS_LIMIT_TEXT =
  'The limit on maximum number of active operations has exceeded.';
export const activeOperationsLimit = (times?: number): Fault => ({
  code: status.RESOURCE_EXHAUSTED,
  message: ACTIVE_OPERATIONS_LIMIT_TEXT,
  ...(times !== undefined && { times }),
});

/**
 * A RESOURCE_EXHAUSTED that is not that quota: too many requests, which is what the API's list of
 * errors gives the code ("The request limit exceeded", yandex-cloud/docs
 * en/_includes/errors-handling.md, shown at api-design-guide/concepts/errors). Its words are
 * those docs', as no public report quotes the platform's own.
 */
export const requestRateLimit = (times?: number): Fault => ({
  code: status.RESOURCE_EXHAUSTED,
  message: 'The request limit exceeded.',
  ...(times !== undefined && { times }),
});
