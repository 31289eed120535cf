import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';

/** What a person reads in a result about an operation: empty fields left out. */
export function described(operation: Operation) {
  return {
    ...(operation.description && { description: operation.description }),
    // A timestamp out of Date's range is an Invalid Date, whose toISOString throws.
    ...(operation.createdAt &&
      !Number.isNaN(operation.createdAt.getTime()) && {
        createdAt: operation.createdAt.toISOString(),
      }),
    ...(operation.createdBy && { createdBy: operation.createdBy }),
  };
}
