import { status as Status } from '@grpc/grpc-js';

export { Status };

const STATUS_NAMES = new Set(Object.keys(Status).filter((k) => Number.isNaN(Number(k))));

/**
 * The gRPC status of a failed call. grpc-js errors carry a numeric `code`; errors that went
 * through the SDK's own middleware may have been rewrapped as its ApiError, which keeps only the
 * message ("<path> <STATUS>: <details>"), so the name is read back from there too.
 */
export function statusOf(error: unknown): Status | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'number' && Status[code] !== undefined) return code;
  if (typeof message !== 'string') return undefined;
  const name = /^\S+ ([A-Z_]+): /.exec(message)?.[1];
  return name !== undefined && STATUS_NAMES.has(name)
    ? Status[name as keyof typeof Status]
    : undefined;
}
