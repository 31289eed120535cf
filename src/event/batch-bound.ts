import { RequestError } from '../errors';
import { type Job, MAX_BODY_BYTES, type Origin } from '../model';

/** Mentions of ids a batch may make, per MAX_OPERATIONS: each is a line of its own. */
const MENTIONS_PER_OPERATION = 10;

/** A message of a batch, its text, and what to hand on if the batch is full before it. */
export interface BatchMessage {
  readonly origin: Origin;
  readonly text: string;
  /** The message as the event holds it; without one, a message past the bound is refused. */
  readonly leftover?: unknown;
}

/**
 * One bound for all an invocation reads, whatever its channel: MAX_OPERATIONS distinct ids, ten
 * times that in mentions, and MAX_BODY_BYTES of text. A batch of 1000 messages of 150 ids each
 * would otherwise be 150,000 operations in one invocation, past its memory and its time; a forged
 * timer event of 160 payloads did just that. Messages are admitted in order while they fit; from
 * the first that does not, each is handed on unread (a queue's) or refused by name.
 */
export function batchBound(maxOperations: number) {
  const ids = new Set<string>();
  let named = 0;
  // Every mention of an id is a line of its own, so repeats are bounded too: a batch (of up to
  // 1000 messages, trigger.proto) naming the same ids again and again would otherwise write a
  // line per mention, past the invocation's time.
  let mentions = 0;
  let bytes = 0;
  let admitted = 0;
  const maxMentions = MENTIONS_PER_OPERATION * maxOperations;
  let full = false;
  const refusal = () =>
    new RequestError(
      `the event names more than MAX_OPERATIONS (${maxOperations}) operations, or holds more than ${MAX_BODY_BYTES} bytes of requests, in all; this message is not processed: make the batches smaller (batch size × ids per message ≤ MAX_OPERATIONS)`,
    );
  // A message that fits no invocation, even alone, is refused: handed on, it would come back.
  const past = ({ origin, leftover }: BatchMessage): Job => {
    full = true;
    return leftover === undefined || admitted === 0
      ? { origin, error: refusal() }
      : { origin, deferred: leftover };
  };
  return {
    admit(message: BatchMessage, parse: () => Job): Job {
      const size = Buffer.byteLength(message.text);
      if (full || bytes + size > MAX_BODY_BYTES) return past(message);
      const job = parse();
      if (!('request' in job)) return job;
      if (job.request.kind === 'ids') {
        const { operations } = job.request;
        const fresh = operations.filter((name) => !name.valid || !ids.has(name.id));
        if (named + fresh.length > maxOperations || mentions + operations.length > maxMentions) {
          return past(message);
        }
        named += fresh.length;
        mentions += operations.length;
        for (const name of fresh) if (name.valid) ids.add(name.id);
      }
      bytes += size;
      admitted += 1;
      return job;
    },
  };
}
