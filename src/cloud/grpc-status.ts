import { Status } from 'nice-grpc';

const STATUS_NAMES = new Set(Object.keys(Status).filter((k) => Number.isNaN(Number(k))));

/**
 * The gRPC status of a failed call. nice-grpc's ClientError has a `code`; when headers arrived
 * before the error, the SDK rewraps it as its ApiError, which keeps only the message
 * ("<path> <STATUS>: <details>"), so the name is read back from there.
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
