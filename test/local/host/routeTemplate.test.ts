// Route template parsing and matching (ASP.NET Core syntax as used by HTTP triggers).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comparePrecedence, decodePathSegment, RouteTemplate } from '../../../local/host/http/routeTemplate';

const match = (template: string, path: string) => new RouteTemplate(template).match(path === '' ? [] : path.split('/'))?.params;

describe('RouteTemplate', () => {
  it('matches literals case-insensitively and captures parameters', () => {
    assert.deepEqual(match('devices/{deviceId}/reboot', 'Devices/d1/REBOOT'), { deviceId: 'd1' });
    assert.equal(match('devices/{deviceId}/reboot', 'devices/d1'), undefined);
    assert.equal(match('devices/{deviceId}', 'devices/d1/extra'), undefined);
  });

  it('decodes percent-encoded segments except %2F', () => {
    assert.deepEqual(match('devices/{id}', 'devices/a%23b%3F%25'), { id: 'a#b?%' });
    assert.deepEqual(match('devices/{id}', 'devices/a%2Fb'), { id: 'a%2Fb' });
    assert.equal(decodePathSegment('%E2%82%AC'), '€');
  });

  it('handles optional parameters, defaults and catch-alls', () => {
    assert.deepEqual(match('items/{id?}', 'items'), {});
    assert.deepEqual(match('items/{id=7}', 'items'), { id: '7' });
    assert.deepEqual(match('files/{*path}', 'files/a/b/c'), { path: 'a/b/c' });
    assert.deepEqual(match('files/{**path}', 'files'), {});
  });

  it('applies inline constraints', () => {
    assert.deepEqual(match('n/{id:int}', 'n/-12'), { id: '-12' });
    assert.equal(match('n/{id:int}', 'n/1.5'), undefined);
    assert.equal(match('n/{id:int:range(1,5)}', 'n/6'), undefined);
    assert.deepEqual(match('n/{id:int:range(1,5)}', 'n/5'), { id: '5' });
    assert.deepEqual(match('a/{x:alpha}', 'a/Abc'), { x: 'Abc' });
    assert.equal(match('a/{x:alpha}', 'a/ab1'), undefined);
    assert.deepEqual(match('l/{x:length(2,3)}', 'l/abc'), { x: 'abc' });
    assert.equal(match('l/{x:minlength(4)}', 'l/abc'), undefined);
    assert.deepEqual(match('b/{x:bool}', 'b/True'), { x: 'True' });
    assert.deepEqual(match('r/{x:regex(^\\d{{3}}$)}', 'r/123'), { x: '123' });
    assert.equal(match('r/{x:regex(^\\d{{3}}$)}', 'r/1234'), undefined);
    assert.deepEqual(match('g/{id:guid}', 'g/{0F8FAD5B-D9CB-469F-A165-70867728950E}'), { id: '{0F8FAD5B-D9CB-469F-A165-70867728950E}' });
    assert.deepEqual(match('o/{id:int?}', 'o'), {});
    assert.throws(() => new RouteTemplate('x/{id:nosuch}'), /Unknown route constraint "nosuch"/);
  });

  it('refuses malformed templates, naming the problem', async (t) => {
    const cases: [template: string, error: RegExp][] = [
      ['a//b', /empty segment/],
      ['r/{x:regex}', /"regex" expects a pattern/],
      ['l/{x:length(1,2,3)}', /"length" expects 1 or 2 integer/],
      ['l/{x:length(a)}', /"length" expects 1 or 2 integer/],
      ['n/{x:range(1)}', /"range" expects 2 integer/],
      ['n/{x:min(a)}', /"min" expects 1 integer/],
      ['n/{x:maxlength(1,2)}', /"maxlength" expects 1 integer/],
      ['n/{x-y}', /Invalid route parameter name "x-y"/],
    ];
    for (const [template, error] of cases) {
      await t.test(template, () => assert.throws(() => new RouteTemplate(template), error));
    }
  });

  it('takes one or two arguments for length, and a regex with commas', () => {
    assert.deepEqual(match('l/{x:length(3)}', 'l/abc'), { x: 'abc' });
    assert.equal(match('l/{x:length(3)}', 'l/ab'), undefined);
    assert.deepEqual(match('r/{x:regex(^\\d{{1,3}}$)}', 'r/12'), { x: '12' });
    assert.equal(match('r/{x:regex(^\\d{{1,3}}$)}', 'r/1234'), undefined);
  });

  it('matches complex segments', () => {
    assert.deepEqual(match('files/{name}.{ext}', 'files/report.final.pdf'), { name: 'report', ext: 'final.pdf' });
  });

  it('orders literals before constrained before plain parameters before catch-alls', () => {
    const sorted = ['a/{*rest}', 'a/{x}', 'a/{x:int}', 'a/b'].map((t) => new RouteTemplate(t)).sort(comparePrecedence).map((t) => t.template);
    assert.deepEqual(sorted, ['a/b', 'a/{x:int}', 'a/{x}', 'a/{*rest}']);
  });
});
