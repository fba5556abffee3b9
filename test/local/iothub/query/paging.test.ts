import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compileQuery, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, paginate, QueryError, type Page } from '../../../../local/iothub/query';
import { fleet, twin } from './fleet';
import { elementAt } from '../../../support/elementAt';

/** Follows continuation tokens the way the SDK does: until a page comes back without one. */
function allPages(results: unknown[], pageSize: number | undefined): Page[] {
  const pages: Page[] = [];
  let token: string | undefined;
  do {
    const page = paginate(results, pageSize, token);
    pages.push(page);
    token = page.continuationToken;
    assert.ok(pages.length <= results.length + 1, 'paging does not terminate');
  } while (token !== undefined);
  return pages;
}

const badToken = (token: string) => (error: unknown) =>
  error instanceof QueryError && /Invalid x-ms-continuation token/.test(error.message) && !error.message.includes(token);

describe('paginate', () => {
  test('three pages of the fleet reassemble the full result, in order, with no duplicates', () => {
    const results = compileQuery('SELECT * FROM devices').run(fleet());
    const pages = allPages(results, 5);
    assert.deepEqual(pages.map((p) => p.items.length), [5, 5, 2]);
    assert.ok(elementAt(pages, 0).continuationToken && elementAt(pages, 1).continuationToken);
    assert.ok(!('continuationToken' in elementAt(pages, 2)), 'the last page has no token at all');
    const ids = pages.flatMap((p) => p.items.map((t) => (t as { deviceId: string }).deviceId));
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(ids, results.map((t) => (t as { deviceId: string }).deviceId));
  });

  test('default page size is 100 over a large fleet of projections', () => {
    const twins = Array.from({ length: 2345 }, (_, i) => twin({ deviceId: `d-${String(i).padStart(5, '0')}`, tags: { n: i } }));
    const results = compileQuery('SELECT deviceId, tags.n FROM devices WHERE tags.n % 1 = 0').run(twins);
    const pages = allPages(results, undefined);
    assert.equal(pages.length, 24);
    assert.ok(pages.slice(0, -1).every((p) => p.items.length === DEFAULT_PAGE_SIZE));
    assert.equal(elementAt(pages, 23).items.length, 45);
    assert.deepEqual(pages.flatMap((p) => p.items), results);
  });

  test('a result that exactly fills its pages ends without a token', () => {
    const results = Array.from({ length: 200 }, (_, i) => i);
    const pages = allPages(results, 100);
    assert.equal(pages.length, 2);
    assert.equal(elementAt(pages, 1).continuationToken, undefined);
  });

  test('empty results give one empty page without a token', () => {
    assert.deepEqual(paginate([], undefined, undefined), { items: [] });
  });

  test('page size bounds are 1 and 1000', () => {
    assert.equal(paginate([1, 2, 3], 1, undefined).items.length, 1);
    const big = Array.from({ length: 1500 }, (_, i) => i);
    assert.equal(paginate(big, MAX_PAGE_SIZE, undefined).items.length, 1000);
    for (const size of [0, -1, 1001, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => paginate(big, size, undefined),
        (e: unknown) => e instanceof QueryError && e.message.includes('x-ms-max-item-count') && e.message.includes('from 1 to 1000'),
        `page size ${size}`,
      );
    }
  });

  test('an empty token means the first page; a token past the end gives an empty last page', () => {
    assert.deepEqual(paginate([1, 2, 3], 2, ''), paginate([1, 2, 3], 2, undefined));
    const { continuationToken } = paginate([1, 2, 3, 4, 5], 4, undefined);
    assert.ok(continuationToken);
    assert.deepEqual(paginate([1, 2], 4, continuationToken), { items: [] });
  });

  test('the token is opaque base64url without padding', () => {
    const { continuationToken } = paginate(Array.from({ length: 10 }, (_, i) => i), 3, undefined);
    assert.match(continuationToken ?? '', /^[A-Za-z0-9_-]+$/);
  });

  test('malformed tokens are refused', () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const results = [1, 2, 3];
    for (const token of ['abc', '!!!', 'eyJvIjox fQ', encode({ o: -1 }), encode({ o: '1' }), encode({ o: 1.5 }), encode({}), encode(null), encode(7), 'a'.repeat(300)]) {
      assert.throws(() => paginate(results, 2, token), badToken(token), token);
    }
  });
});
