// The baseline the project is measured against: the handler as the Yandex Cloud docs show one
// for SDK v3 (a Session per invocation, the generated client, one await at a time), doing the
// same job, Get and then Cancel unless done. Kept naive on purpose; do not optimise it.
import { Session } from '@yandex-cloud/nodejs-sdk';
import { operationService } from '@yandex-cloud/nodejs-sdk/operation';

interface Event {
  operationIds: string[];
}

interface Context {
  token: { access_token: string };
}

// google.rpc.Code.CANCELLED, as a cancelled operation's error carries it.
const CANCELLED = 1;

export const handler = async (event: Event, context: Context) => {
  const session = new Session({ iamToken: context.token.access_token });
  const client = session.client(
    operationService.OperationServiceClient,
    process.env.YC_OPERATION_ENDPOINT,
  );
  const results = [];
  for (const id of event.operationIds) {
    let op = await client.get(
      operationService.GetOperationRequest.fromPartial({ operationId: id }),
    );
    const wasDone = op.done;
    if (!wasDone) {
      op = await client.cancel(
        operationService.CancelOperationRequest.fromPartial({ operationId: id }),
      );
    }
    const outcome = wasDone
      ? 'already_done'
      : op.done && op.error?.code === CANCELLED
        ? 'cancelled'
        : 'cancelling';
    results.push({ operationId: id, outcome });
  }
  return { results };
};
