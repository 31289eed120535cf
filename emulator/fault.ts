import type { Metadata, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';

/** An error the emulator answers with instead of the normal reply, for the first `times` calls. */
export interface Fault {
  code: number;
  message?: string;
  times?: number;
  headersFirst?: boolean;
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
