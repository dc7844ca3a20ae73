import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as } from '../../../common/test/harness.ts';
import { Q, expectError, expectOk, startHarness, type Harness } from './support.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('standards_pages');
  for (let i = 0; i < 24; i++) expectOk(await h.run(as.operator(), Q.create, { input: {} }));
});
afterAll(async () => {
  await h.db.close();
});

type Page = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { number: number } }[];
};
const page = async (variables: Record<string, unknown>, claims = as.operator()): Promise<Page> =>
  expectOk(await h.run(claims, Q.list, variables)).standardVersions;

describe('standardVersions', () => {
  it('walks every version newest first, each exactly once', async () => {
    const seen: number[] = [];
    let after: string | null = null;
    const sizes: number[] = [];
    for (;;) {
      const p: Page = await page({ first: 10, after });
      expect(p.totalCount).toBe(25);
      sizes.push(p.edges.length);
      seen.push(...p.edges.map((e) => e.node.number));
      expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)?.cursor ?? null);
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(sizes).toEqual([10, 10, 5]);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i));
  });

  it('defaults to 20 per page', async () => {
    const p = await page({});
    expect(p.edges).toHaveLength(20);
    expect(p.pageInfo.hasNextPage).toBe(true);
  });

  it('filters by status', async () => {
    const p = await page({ status: 'PUBLISHED' });
    expect(p.edges.map((e) => e.node.number)).toEqual([1]);
    expect(p).toMatchObject({ totalCount: 1, pageInfo: { hasNextPage: false } });
  });

  it('counts only what the caller may see', async () => {
    const p = await page({ first: 100 }, as.partner());
    expect(p.totalCount).toBe(1);
    expect(p.edges).toHaveLength(1);
  });

  it.each([0, -1, 101])('refuses first: %i', async (first) => {
    const error = expectError(await h.run(as.operator(), Q.list, { first }), 'BAD_USER_INPUT');
    expect(error.extensions['field']).toBe('first');
  });

  it.each(['garbage', 'c3RhbmRhcmQtdmVyc2lvbjp4', ''])('refuses the cursor %j', async (after) => {
    const error = expectError(await h.run(as.operator(), Q.list, { after }), 'BAD_USER_INPUT');
    expect(error.extensions['field']).toBe('after');
  });
});
