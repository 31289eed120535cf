import { status } from '@grpc/grpc-js';
import type { FieldMask } from '@yandex-cloud/nodejs-sdk/google/protobuf/field_mask';
import { paginate } from '../../../emulator/index';
import { type Outcome, type Rejection, reject } from './serverless-rpc';

// The pattern the API documents for function and trigger names.
const NAME = /^[a-z][-a-z0-9]{1,61}[a-z0-9]$/;

/** Refuses a name the API would refuse; an empty one is allowed, as names are optional. */
export function checkName(name: string): Rejection | undefined {
  if (name === '' || NAME.test(name)) return undefined;
  return reject(
    status.INVALID_ARGUMENT,
    `name ${JSON.stringify(name)} does not match ${NAME.source}`,
  );
}

/**
 * The name a list filter asks for, undefined for no filter. Only `name="<name>"` is understood:
 * ignoring any other filter would hand a caller more than it asked for, unnoticed.
 */
export function nameFilter(filter: string): Outcome<{ name: string | undefined }> {
  if (filter === '') return { name: undefined };
  const name = /^name="([^"]*)"$/.exec(filter)?.[1];
  if (name === undefined || !NAME.test(name)) {
    const details = `the emulator understands only filter name="<name>", not ${JSON.stringify(filter)}`;
    return reject(status.INVALID_ARGUMENT, details);
  }
  return { name };
}

/**
 * The fields an update_mask names. An empty mask is refused rather than read as "everything", so
 * a caller that forgets the mask fails here instead of behaving differently in the cloud.
 */
export function maskedFields<Field extends string>(
  mask: FieldMask | undefined,
  updatable: readonly Field[],
): Outcome<{ fields: Set<Field> }> {
  const paths = mask?.paths ?? [];
  if (paths.length === 0) return reject(status.INVALID_ARGUMENT, 'update_mask is empty');
  const unknown = paths.filter((path) => !(updatable as readonly string[]).includes(path));
  if (unknown.length > 0) {
    const details = `the emulator updates only ${updatable.join(', ')}, not ${unknown.join(', ')}`;
    return reject(status.INVALID_ARGUMENT, details);
  }
  return { fields: new Set(paths as Field[]) };
}

/** One page of `items`, or INVALID_ARGUMENT for a page_size or page_token the API would refuse. */
export function pageOf<T>(
  items: readonly T[],
  request: { pageSize: number; pageToken: string },
  maxPageSize: number,
): Outcome<{ items: T[]; nextPageToken: string }> {
  const result = paginate(items, request, maxPageSize);
  return 'invalid' in result ? reject(status.INVALID_ARGUMENT, result.invalid) : result;
}
