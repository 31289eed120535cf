import type { Metadata, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';

/** An error the emulator answers with instead of the normal reply, for the first `times` calls. */
export interface Fault {
  code: number;
  message?: string;
  times?: number;
  headersFirst?: boolean;
}

/** A fault and how many calls it has failed so far. */
export interface Budget {
  fault?: Fault | undefined;
  spent: number;
}

/** The fault to answer this call with, if the budget has any left; counts it as spent. */
export function spend(budget: Budget | undefined): Fault | undefined {
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
