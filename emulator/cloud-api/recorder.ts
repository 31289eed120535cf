import { Metadata } from '@grpc/grpc-js';

export interface RecordedCall<Method extends string = string> {
  method: Method;
  /**
   * What the call is about: the operation (Get, Cancel), the folder (a kind's List) or the
   * resource (ListOperations, ListLogRecords) asked about, the cloud (FolderService.List); for a
   * deployer's call, the function, trigger or (for List and Create) folder.
   */
  subject: string;
  authorization: string | undefined;
  /** The `x-request-id` the server answered with. */
  requestId: string;
  /** The `x-server-trace-id` the server answered with. */
  serverTraceId: string;
  /** What the client sent as `x-request-id` and `x-client-trace-id`, if anything. */
  clientRequestId: string | undefined;
  clientTraceId: string | undefined;
  at: number;
  /** Only on listings: the page_size and page_token asked for. */
  page?: { size: number; token: string };
}

/** What a handler says of a call; the recorder adds what the metadata and the clock say. */
export type CallFacts<Call extends RecordedCall> = Omit<
  Call,
  'authorization' | 'requestId' | 'serverTraceId' | 'clientRequestId' | 'clientTraceId' | 'at'
>;

export interface Recorder<Call extends RecordedCall> {
  readonly calls: Call[];
  /**
   * Records a call and returns the headers that answer it: the server's `x-request-id` and
   * `x-server-trace-id`, the names the nodejs-sdk reads for a support ticket (`ApiError`). Whether
   * the real API echoes a client's `x-request-id` is not public, so this one never does: the
   * function must keep its own ids apart from the server's.
   */
  record(call: CallFacts<Call>, metadata: Metadata): Metadata;
  callsFor(subject: string): Call[];
  /** Forgets recorded calls; what the server serves, and pending faults, stay. */
  reset(): void;
}

export function createRecorder<Call extends RecordedCall>(): Recorder<Call> {
  const calls: Call[] = [];
  let counter = 0;
  return {
    calls,
    record: (call, metadata) => {
      const n = ++counter;
      const sent = (name: string) => {
        const [value] = metadata.get(name);
        return typeof value === 'string' ? value : undefined;
      };
      const headers = new Metadata();
      headers.set('x-request-id', `req-${n}`);
      headers.set('x-server-trace-id', `trace-${n}`);
      calls.push({
        ...call,
        authorization: sent('authorization'),
        requestId: `req-${n}`,
        serverTraceId: `trace-${n}`,
        clientRequestId: sent('x-request-id'),
        clientTraceId: sent('x-client-trace-id'),
        at: Date.now(),
      } as Call);
      return headers;
    },
    callsFor: (subject) => calls.filter((call) => call.subject === subject),
    reset: () => {
      calls.length = 0;
    },
  };
}
