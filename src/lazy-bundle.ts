import { MissingBundleError } from './errors';

/**
 * Whether a failure is a MissingBundleError, told by its name, as dist/sweep.js tells the one its
 * lent loadBundle raises for dist/re2.js, to answer the host with the file's name.
 */
export const isMissingBundle = (error: unknown): error is MissingBundleError =>
  error instanceof Error && error.name === 'MissingBundleError';

/**
 * Whether loading `file` failed because `file` itself is not there, as Node's require says it
 * (MODULE_NOT_FOUND, naming the request); a module that `file` requires and that is missing is
 * another failure.
 */
export function lacksFile(error: unknown, file: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    code === 'MODULE_NOT_FOUND' &&
    typeof message === 'string' &&
    message.startsWith(`Cannot find module './${file}'`)
  );
}

/** A lazily loaded bundle (dist/sweep.js, dist/observe.js), its absence said as what it is. */
export async function loadBundle<T>(file: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (lacksFile(error, file)) throw new MissingBundleError(file, { cause: error });
    throw error;
  }
}
