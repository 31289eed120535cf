import type { Metadata, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';

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
