import { describe, expect, it } from 'vitest';
import { allPages, Cut, MAX_PAGES } from '../../src/sweep/listing/pages';

/** A server whose next token after `token` is `next(token)`, one item a page. */
const server = (next: (token: string, page: number) => string) => {
  let page = 0;
  const asked: string[] = [];
  const fetch = async (token: string) => {
    asked.push(token);
    page += 1;
    return { items: [page], nextPageToken: next(token, page) };
  };
  return { fetch, asked };
};

describe('every page of a list, within bounds', () => {
  it.each([
    ['to the end', (_t: string, p: number) => (p < 3 ? `t${p}` : ''), 3, undefined],
    ['to a token seen right before', () => 'same', 2, Cut.Loop],
    ['to a token seen three pages before', (_t: string, p: number) => `t${p % 3}`, 4, Cut.Loop],
    [
      'to MAX_PAGES of tokens that never repeat',
      (_t: string, p: number) => `t${p}`,
      MAX_PAGES,
      Cut.Pages,
    ],
  ])('%s', async (_case, next, pages, cut) => {
    const { fetch, asked } = server(next);
    const listed = await allPages(fetch);
    expect(asked).toHaveLength(pages);
    expect(listed.items).toHaveLength(pages);
    expect(listed.cut).toBe(cut);
  });

  it('asks for no page once the caller says enough, not even the first', async () => {
    const { fetch, asked } = server((_t, p) => `t${p}`);
    let left = 2;
    const listed = await allPages(fetch, () => left-- > 0);
    expect(asked).toHaveLength(2);
    expect(listed.cut).toBe(Cut.Limit);
    const none = server(() => '');
    expect(await allPages(none.fetch, () => false)).toEqual({ items: [], cut: Cut.Limit });
    expect(none.asked).toEqual([]);
  });

  it('takes a page of 150,000 items, which a spread into push overflows the stack with', async () => {
    const items = Array.from({ length: 150_000 }, (_, i) => i);
    const listed = await allPages(async () => ({ items, nextPageToken: '' }));
    expect(listed.items).toHaveLength(150_000);
  });
});
