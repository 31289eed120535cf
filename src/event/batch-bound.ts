import { RequestError } from '../errors';
import type { Job, Origin } from '../model';

/** Mentions of ids a batch may make, per MAX_OPERATIONS: each is a line of its own. */
const MENTIONS_PER_OPERATION = 10;

/**
 * MAX_OPERATIONS bounds a whole batch, not each message: a batch of 1000 messages of 150 ids
 * each would otherwise be 150,000 operations in one invocation, past its memory and its time.
 * Messages are admitted in order while the batch's distinct ids fit; a message that would pass
 * the bound, and every one after it, is refused by name without its ids being read.
 */
export function batchBound(maxOperations: number) {
  const ids = new Set<string>();
  let named = 0;
  // Every mention of an id is a line of its own, so repeats are bounded too: a batch (of up to
  // 1000 messages, trigger.proto) naming the same ids again and again would otherwise write a
  // line per mention, past the invocation's time.
  let mentions = 0;
  const maxMentions = MENTIONS_PER_OPERATION * maxOperations;
  let full = false;
  const refusal = () =>
    new RequestError(
      `the batch names more than MAX_OPERATIONS (${maxOperations}) operations in all; this message is not processed: make the trigger's batches smaller (batch size × ids per message ≤ MAX_OPERATIONS)`,
    );
  return {
    admit(origin: Origin, parse: () => Job): Job {
      if (full) return { origin, error: refusal() };
      const job = parse();
      if (!('request' in job) || job.request.kind !== 'ids') return job;
      const { operations } = job.request;
      const fresh = operations.filter((name) => !name.valid || !ids.has(name.id));
      if (named + fresh.length > maxOperations || mentions + operations.length > maxMentions) {
        full = true;
        return { origin, error: refusal() };
      }
      named += fresh.length;
      mentions += operations.length;
      for (const name of fresh) if (name.valid) ids.add(name.id);
      return job;
    },
  };
}
