import { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import type { FakeOperation } from '../../emulator/cloud-api-server';

/**
 * Hostile-server faults, not platform behaviour: Get's and Cancel's answers written otherwise
 * than the operation says (FakeOperation `write`).
 */
type Hostile = Required<Pick<FakeOperation, 'write'>>;

/**
 * Cancel's answer carries these fields instead of the operation's own, such as another
 * operation's `id`, or a `description` past a client's 4 MB receive limit; Get's is as it would be.
 */
export const cancelAnswering = (
  fields: Partial<Pick<Operation, 'id' | 'description'>>,
): Hostile => ({
  write: (answer, method) =>
    Operation.encode(method === 'Cancel' ? { ...answer, ...fields } : answer).finish(),
});

/**
 * `createdAt` (field 3) written as a Timestamp of this many seconds (field 1), which no Date
 * holds (2n ** 62n); set on an operation without createdAt, so its listings leave it out.
 */
export const createdAtSeconds = (seconds: bigint): Hostile => ({
  write: (answer) =>
    Operation.encode(answer).uint32(26).fork().uint32(8).int64(String(seconds)).ldelim().finish(),
});

/** Answers cut short by their last byte, which no protobuf parser reads. */
export const cutShort: Hostile = {
  write: (answer) => Operation.encode(answer).finish().subarray(0, -1),
};
