import { status } from '@grpc/grpc-js';
import type { FakeOperation } from './cloud-api-server';

export interface SeededOperation {
  readonly operation: FakeOperation;
  /** What a person reads in the banner: the state, and what the function will make of it. */
  readonly story: string;
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

/** A few operations in the states a real folder shows, with ids shaped like real ones. */
export function seededOperations(): SeededOperation[] {
  return [
    {
      operation: {
        id: 'fd8stuckinstance0001',
        description: 'Create instance',
        createdAt: minutesAgo(95),
        createdBy: 'ajeoperator000000001',
        cancel: 'cancels',
      },
      story: 'running, cancellable → cancelled',
    },
    {
      operation: {
        id: 'enpstucknetwork00002',
        description: 'Update network',
        createdAt: minutesAgo(60),
        createdBy: 'ajeoperator000000001',
        cancel: 'slowly',
        cancelTakesMs: 10_000,
      },
      story: 'running, takes 10 s to cancel → cancelling (a later run: already_done)',
    },
    {
      operation: {
        id: 'fhmstuckbucket000003',
        description: 'Update bucket',
        createdAt: minutesAgo(45),
        createdBy: 'ajeoperator000000002',
        cancel: { code: status.UNIMPLEMENTED, message: 'Operation cancellation is not supported' },
      },
      story: 'running, not cancellable → not_cancellable',
    },
    {
      operation: {
        id: 'fd8finisheddisk00004',
        description: 'Create disk',
        createdAt: minutesAgo(30),
        createdBy: 'ajeoperator000000002',
        done: true,
      },
      story: 'done → already_done',
    },
  ];
}
