import { Server, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import { OperationServiceService } from '@yandex-cloud/nodejs-sdk/operation/operation_service';
import type { TestPkiFiles } from '../../emulator/pki';
import { bindOverTls } from './grpc-tls';

export interface HoldingServer {
  readonly address: string;
  /** The most Gets and Cancels it held at once: a count, not an inference from timings. */
  peak(): number;
  /** The Gets and Cancels it was sent. */
  calls(): number;
  close(): Promise<void>;
}

type Unary = (
  call: ServerUnaryCall<{ operationId: string }, unknown>,
  callback: sendUnaryData<unknown>,
) => void;

/**
 * An OperationService whose every operation has run an hour and cancels at once, each Get and
 * Cancel held from its arrival until the test's `hold` calls the `answer` it was given.
 */
export async function startHoldingServer(
  pki: TestPkiFiles,
  hold: (answer: () => void) => void,
): Promise<HoldingServer> {
  let held = 0;
  let peak = 0;
  let calls = 0;
  const heldUntilAnswered =
    (answer: (operationId: string) => object): Unary =>
    (call, callback) => {
      calls += 1;
      held += 1;
      peak = Math.max(peak, held);
      hold(() => {
        held -= 1;
        callback(null, answer(call.request.operationId));
      });
    };
  const operation = (id: string, done: boolean) =>
    Operation.fromPartial({ id, done, createdAt: new Date(Date.now() - 3_600_000) });
  const server = new Server();
  server.addService(OperationServiceService, {
    get: heldUntilAnswered((id) => operation(id, false)),
    cancel: heldUntilAnswered((id) => ({
      ...operation(id, true),
      error: { code: status.CANCELLED, message: 'cancelled', details: [] },
    })),
  });
  return {
    address: await bindOverTls(server, pki),
    peak: () => peak,
    calls: () => calls,
    close: async () => server.forceShutdown(),
  };
}
