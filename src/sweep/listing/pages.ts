/** A guard against a server that hands back the same page token forever. */
export const MAX_PAGES = 1000;

/** Every item of a paged List, page after page, until the server gives no next token. */
export async function allPages<T>(
  fetch: (pageToken: string) => Promise<{ items: T[]; nextPageToken: string }>,
): Promise<T[]> {
  const items: T[] = [];
  let pageToken = '';
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await fetch(pageToken);
    items.push(...answer.items);
    if (!answer.nextPageToken || answer.nextPageToken === pageToken) break;
    pageToken = answer.nextPageToken;
  }
  return items;
}
