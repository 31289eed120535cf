/** The most a listing page holds unless a test asks for less; the real API caps at 1000. */
export const MAX_PAGE_SIZE = 1000;

/** What the Yandex Cloud list methods return when a request leaves page_size at 0. */
export const DEFAULT_PAGE_SIZE = 100;

export type Page<T> = { items: T[]; nextPageToken: string } | { invalid: string };

/**
 * One page of `items`. Tokens are offsets, so a listing that changes between pages may skip or
 * repeat an item, as a real one may; the last page carries an empty nextPageToken.
 */
export function paginate<T>(
  items: readonly T[],
  request: { pageSize: number; pageToken: string },
  maxPageSize: number,
): Page<T> {
  const { pageSize, pageToken } = request;
  if (!Number.isInteger(pageSize) || pageSize < 0) {
    return { invalid: `page_size ${pageSize} is not a non-negative integer` };
  }
  if (pageToken !== '' && !/^\d+$/.test(pageToken)) {
    return { invalid: `page_token ${JSON.stringify(pageToken)} was not issued by this server` };
  }
  const offset = Number(pageToken);
  const end = offset + Math.min(pageSize || DEFAULT_PAGE_SIZE, maxPageSize);
  return {
    items: items.slice(offset, end),
    nextPageToken: end < items.length ? String(end) : '',
  };
}
