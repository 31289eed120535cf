import { expect } from 'vitest';
import type { CancelRequest, NamedOperation, SweepSpec } from '../../src/model';

/** The operations a request names; fails the test when it is a sweep instead. */
export function operationsOf(request: CancelRequest): readonly NamedOperation[] {
  expect(request.kind).toBe('ids');
  return request.kind === 'ids' ? request.operations : [];
}

/** The sweep a request asks for; fails the test when it names operations instead. */
export function sweepOf(request: CancelRequest): SweepSpec | undefined {
  expect(request.kind).toBe('sweep');
  return request.kind === 'sweep' ? request.sweep : undefined;
}
