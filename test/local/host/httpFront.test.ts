// The HTTP front of the local host: routing (templates, constraints, prefix, methods), auth levels and
// keys, request/response fidelity (binary bodies, headers, cookies, decoded params), hooks, settings.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LocalHost } from '../../../local/host/index';
import { startScenarioHost } from './helpers';

describe('local host: HTTP front', () => {
  let host: LocalHost;
  before(async () => {
    process.env.OVERRIDDEN_BY_ENV = 'process-value';
    host = await startScenarioHost({ env: { EXTRA_SETTING: 'extra' }, keys: { functionKey: 'fixed-function-key' } });
    delete process.env.OVERRIDDEN_BY_ENV;
  });
  after(async () => {
    await host.stop();
  });

  const get = (path: string, init?: RequestInit) => fetch(`${host.baseUrl}${path}`, init);

  it('enforces auth levels with the code query parameter or x-functions-key header', async () => {
    // function level
    assert.equal((await get('/api/DefaultRouteName')).status, 401);
    assert.equal((await get('/api/DefaultRouteName?code=wrong')).status, 401);
    assert.equal((await get('/api/DefaultRouteName?code=fixed-function-key')).status, 200);
    assert.equal((await get('/api/DefaultRouteName', { headers: { 'x-functions-key': 'fixed-function-key' } })).status, 200);
    assert.equal((await get(`/api/DefaultRouteName?code=${host.masterKey}`)).status, 200);
    // admin level: only the master key
    assert.equal((await get('/api/admin-only?code=fixed-function-key')).status, 401);
    const admin = await get('/api/admin-only', { headers: { 'x-functions-key': host.masterKey } });
    assert.equal(admin.status, 200);
    assert.equal(await admin.text(), 'admin');
    // anonymous
    assert.equal((await get('/api/typed/literal')).status, 200);
    // the system key is for the durabletask webhooks only
    assert.equal((await get(`/api/DefaultRouteName?code=${host.systemKey}`)).status, 401);
  });

  it('routes with the prefix, typed constraints and precedence; 404 for unknown routes and wrong methods', async () => {
    const json = async (path: string) => {
      const res = await get(path);
      return { status: res.status, body: res.status === 200 ? ((await res.json()) as { name: string; params: Record<string, string> }) : undefined };
    };
    assert.deepEqual((await json('/api/typed/42')).body, { name: 'IntRoute', params: { id: '42' } });
    assert.deepEqual((await json('/api/typed/abc')).body, { name: 'AlphaRoute', params: { x: 'abc' } });
    assert.equal((await json('/api/typed/literal')).body?.name, 'LiteralRoute');
    assert.equal((await json('/api/typed/ab1')).status, 404);
    assert.equal((await json('/api/typed/99999999999')).status, 404, 'int is 32-bit');
    assert.equal((await json('/api/guid/0f8fad5b-d9cb-469f-a165-70867728950e')).body?.name, 'GuidRoute');
    assert.equal((await json('/api/guid/not-a-guid')).status, 404);
    assert.equal((await json('/api/len/abc')).body?.name, 'LengthRoute');
    assert.equal((await json('/api/len/abcd')).status, 404);
    assert.deepEqual((await json('/api/opt')).body, { name: 'OptionalRoute', params: {} });
    assert.deepEqual((await json('/api/opt/v')).body, { name: 'OptionalRoute', params: { p: 'v' } });
    assert.equal((await json('/api/nothing-here')).status, 404);
    assert.equal((await json('/typed/42')).status, 404, 'the route prefix is required');
    const wrongMethod = await get('/api/typed/42', { method: 'DELETE' });
    assert.equal(wrongMethod.status, 404, 'the Functions host answers 404, not 405, for a known route with another method');
    assert.equal((await get('/')).status, 200);
  });

  it('carries request and response like the host: decoded params, lower-cased headers, query, cookies', async () => {
    const res = await fetch(`${host.baseUrl}/api/echo/a%23b/c%20d?x=1&x=2&y=%C3%A9`, {
      method: 'PUT',
      headers: { 'X-Mixed-Case': 'Value', 'content-type': 'text/plain', 'x-empty': '' },
      body: 'hello',
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-echo-method'), 'PUT');
    assert.equal(res.headers.get('x-custom'), 'one');
    assert.equal(res.headers.get('set-cookie'), 'session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Lax');
    const body = (await res.json()) as { method: string; url: string; params: Record<string, string>; query: Record<string, string>; headers: Record<string, string>; bodyBase64: string };
    assert.equal(body.method, 'PUT');
    assert.deepEqual(body.params, { rest: 'a#b/c d' });
    assert.deepEqual(body.query, { x: '1,2', y: 'é' });
    assert.equal(body.headers['x-mixed-case'], 'Value');
    assert.equal('x-empty' in body.headers, false, 'empty headers are not forwarded');
    assert.equal(Buffer.from(body.bodyBase64, 'base64').toString(), 'hello');
    assert.equal(body.url, `${host.baseUrl}/api/echo/a%23b/c%20d?x=1&x=2&y=%C3%A9`);
  });

  it('is binary-safe in both directions', async () => {
    const payload = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const res = await fetch(`${host.baseUrl}/api/binary`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: payload });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), Buffer.from(payload).reverse());
  });

  it('answers 200 with no body when the handler returns nothing, 500 when it throws', async () => {
    const none = await get('/api/no-response');
    assert.equal(none.status, 200);
    assert.equal(await none.text(), '');
    const failing = await get('/api/throws');
    assert.equal(failing.status, 500);
  });

  it('runs appStart, preInvocation and postInvocation hooks around invocations', async () => {
    const res = await get('/api/hooks');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-post-invocation'), 'ran');
    assert.deepEqual(await res.json(), { appStarted: true, wrappedByPreInvocation: true });
  });

  it('layers settings: process env over local.settings.json, host options over both; WEBSITE_HOSTNAME points here', async () => {
    const res = await get('/api/settings');
    assert.deepEqual(await res.json(), {
      fromLocal: 'local-value',
      overridden: 'process-value',
      extra: 'extra',
      websiteHostname: host.baseUrl.replace('http://', ''),
    });
  });

  it('runs appTerminate hooks when the host stops', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lochost-terminate-'));
    const marker = path.join(dir, 'terminated');
    try {
      const other = await startScenarioHost({ env: { TERMINATE_MARKER: marker } });
      assert.equal(fs.existsSync(marker), false);
      await other.stop();
      assert.equal(fs.readFileSync(marker, 'utf8'), 'terminated');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
