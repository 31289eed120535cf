import { createHash } from 'node:crypto';

/** Pages of one list at most: 200 pages of 1000 is more than any folder or resource holds. */
export const MAX_PAGES = 200;

/** Why a list stopped before the server said it had no more. */
export const Cut = {
  /** A page token came back that was already used: the server would hand back pages for ever. */
  Loop: 'page_token_loop',
  /** MAX_PAGES pages were read and the server still had a next one. */
  Pages: 'page_limit',
  /** The caller's limit (the sweep's resources or operations) was reached. */
  Limit: 'listing_limit',
} as const;
export type Cut = (typeof Cut)[keyof typeof Cut];

export interface Pages<T> {
  readonly items: T[];
  /** Set when the list is not whole. */
  readonly cut?: Cut;
}

// Tokens are remembered by digest: a hostile server's token may be any size.
const digest = (token: string) => createHash('sha256').update(token).digest('base64');

/**
 * Every item of a paged List, page after page, until the server gives no next token; bounded,
 * whatever the server does: a token seen before (however many pages the cycle spans) ends it,
 * as do MAX_PAGES pages and the caller's `more()` being false before a page is asked for.
 */
export async function allPages<T>(
  fetch: (pageToken: string) => Promise<{ items: readonly T[]; nextPageToken: string }>,
  more: () => boolean = () => true,
): Promise<Pages<T>> {
  const items: T[] = [];
  const seen = new Set<string>([digest('')]);
  let pageToken = '';
  for (let page = 0; page < MAX_PAGES; page++) {
    if (!more()) return { items, cut: Cut.Limit };
    const answer = await fetch(pageToken);
    // One by one: a spread of a page of 100,000 items overflows the stack.
    for (const item of answer.items) items.push(item);
    if (!answer.nextPageToken) return { items };
    const key = digest(answer.nextPageToken);
    if (seen.has(key)) return { items, cut: Cut.Loop };
    seen.add(key);
    pageToken = answer.nextPageToken;
  }
  return { items, cut: Cut.Pages };
}
