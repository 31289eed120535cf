/**
 * What Yandex Cloud support can find a call by. The client's ids are sent on every call, as the
 * official go-sdk does (`pkg/requestid`), so a ticket has an id even when the server sent none;
 * the server's are read from its headers and trailers (nodejs-sdk `ApiError.requestId` and
 * `serverTraceId`).
 */
export interface RequestIds {
  /** `x-client-trace-id`, one for the call: every attempt carries it. */
  readonly clientTraceId: string;
  /** `x-request-id` as sent, new on each attempt: the last attempt's. */
  readonly clientRequestId: string;
  /** `x-request-id` as the server answered it. */
  readonly apiRequestId?: string;
  /** `x-server-trace-id`. */
  readonly serverTraceId?: string;
}
