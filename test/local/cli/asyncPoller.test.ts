// followAsyncOperation against a real HTTP server on 127.0.0.1 that plays the asynchronous request-reply
// pattern (202 + Location + Retry-After until done), as the Logic Apps HTTP action expects it.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { followAsyncOperation, PollTimeoutError, retryAfterSeconds, type PollObservation } from '../../../local/cli/asyncPoller';
import { elementAt } from '../../support/elementAt';

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Hold the answer back this long. */
  delayMs?: number;
}

interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

/** Answers GET /status/<name> with the next answer of that script; the last one repeats. */
const scripts = new Map<string, Answer[]>();
let seen: SeenRequest[] = [];
let server: http.Server;
let origin: string;
const held = new Set<NodeJS.Timeout>();

before(async () => {
  server = http.createServer((req, res) => {
    seen.push({ method: String(req.method), url: String(req.url), headers: req.headers, at: Date.now() });
    const name = new URL(String(req.url), 'http://x').pathname.replace(/^\/status\//, '');
    const script = scripts.get(name) ?? [{ status: 404 }];
    // The last answer of a script repeats.
    const answer = elementAt(script, 0);
    if (script.length > 1) script.shift();
    const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
    const timer = setTimeout(() => {
      held.delete(timer);
      res.writeHead(answer.status, { ...(body ? { 'content-type': 'application/json' } : {}), ...(answer.headers ?? {}) });
      res.end(body);
    }, answer.delayMs ?? 0);
    held.add(timer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
beforeEach(() => {
  scripts.clear();
  seen = [];
});
after(async () => {
  for (const timer of held) clearTimeout(timer);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const running = (location: string, retryAfter: string): Answer => ({
  status: 202,
  headers: { location, 'retry-after': retryAfter },
  body: { runtimeStatus: 'Running' },
});

test('follows Location as given, honours Retry-After 0 and 1, and returns the first non-202', async () => {
  // The query string is part of the URL to follow (a status URL carries its key there): nothing is added or dropped.
  const location = `${origin}/status/op-1?code=secret%2Bkey&x=1`;
  scripts.set('op-1', [running(location, '1'), running(location, '0'), { status: 200, body: { outcome: 'Succeeded' } }]);
  const observed: PollObservation[] = [];
  const first = await fetch(`${origin}/status/op-1`, { method: 'GET', headers: { authorization: 'Bearer caller-only', 'x-custom': 'first-call' } });
  const final = await followAsyncOperation(first, { onPoll: (o) => observed.push(o), timeoutMs: 30_000 });

  assert.equal(final.status, 200);
  assert.deepEqual(final.body, { outcome: 'Succeeded' });
  assert.equal(final.polls, 2);
  assert.deepEqual(observed.map((o) => [o.status, o.retryAfterSeconds, o.polls]), [[202, 1, 0], [202, 0, 1], [200, undefined, 2]]);
  assert.deepEqual(elementAt(observed, 0).body, { runtimeStatus: 'Running' });
  assert.equal(elementAt(observed, 0).location, location);

  // The first request is the caller's; the two polls are the poller's own.
  assert.equal(seen.length, 3);
  const polls = seen.slice(1);
  for (const poll of polls) {
    assert.equal(poll.method, 'GET');
    assert.equal(poll.url, '/status/op-1?code=secret%2Bkey&x=1');
    assert.equal(poll.headers.authorization, undefined, 'the caller\'s headers are not carried over');
    assert.equal(poll.headers['x-custom'], undefined);
    assert.equal(poll.headers['content-type'], undefined);
  }
  // Retry-After: 1 means a wait of at least one second before the first poll; 0 means none is required.
  assert.ok(elementAt(polls, 0).at - elementAt(seen, 0).at >= 950, `waited ${elementAt(polls, 0).at - elementAt(seen, 0).at} ms after "Retry-After: 1"`);
});

test('stops at the first answer that is not 202, an error status included', async () => {
  const location = `${origin}/status/op-2`;
  scripts.set('op-2', [running(location, '0'), running(location, '0'), { status: 500, body: { error: 'boom' } }, { status: 200 }]);
  const final = await followAsyncOperation(await fetch(location), { timeoutMs: 10_000 });
  assert.equal(final.status, 500);
  assert.deepEqual(final.body, { error: 'boom' });
  assert.equal(final.polls, 2);
  assert.equal(seen.length, 3, 'no request after the 500');
});

test('a first answer that is already final is returned without any request', async () => {
  scripts.set('done', [{ status: 200, body: 'plain text' }]);
  const final = await followAsyncOperation(await fetch(`${origin}/status/done`));
  assert.deepEqual([final.status, final.body, final.polls], [200, 'plain text', 0]);
  assert.equal(seen.length, 1);
});

test('a relative Location is resolved against the answer that carried it', async () => {
  scripts.set('rel', [running('/status/rel?step=2', '0'), { status: 200, body: { ok: true } }]);
  const final = await followAsyncOperation(await fetch(`${origin}/status/rel`), { timeoutMs: 10_000 });
  assert.equal(final.status, 200);
  assert.equal(elementAt(seen, 1).url, '/status/rel?step=2');
});

test('a 202 without Location cannot be followed', async () => {
  scripts.set('lost', [{ status: 202, headers: { 'retry-after': '0' } }]);
  await assert.rejects(followAsyncOperation(await fetch(`${origin}/status/lost`)), (err: unknown) => {
    assert.ok(err instanceof Error && !(err instanceof PollTimeoutError));
    assert.match(err.message, /202 answer without a Location header/);
    return true;
  });
  assert.equal(seen.length, 1);
});

test('gives up with PollTimeoutError when the next wait would pass the deadline', async () => {
  const location = `${origin}/status/forever`;
  scripts.set('forever', [running(location, '1')]);
  const startedAt = Date.now();
  await assert.rejects(followAsyncOperation(await fetch(location), { timeoutMs: 1500 }), (err: unknown) => {
    assert.ok(err instanceof PollTimeoutError);
    assert.match(err.message, /Still 202 after 1 polls/);
    return true;
  });
  assert.equal(seen.length, 2, 'one poll fitted before the deadline');
  assert.ok(Date.now() - startedAt < 1500, 'it did not sleep past the deadline');
});

test('a status request that hangs past the deadline ends in PollTimeoutError too', async () => {
  scripts.set('slow', [running(`${origin}/status/slow`, '0'), { status: 200, delayMs: 5000 }]);
  await assert.rejects(followAsyncOperation(await fetch(`${origin}/status/slow`), { timeoutMs: 300 }), PollTimeoutError);
  assert.equal(seen.length, 2);
});

test('without Retry-After the default applies, and maxRetryAfterSeconds caps a long one', async () => {
  const location = `${origin}/status/quiet`;
  scripts.set('quiet', [{ status: 202, headers: { location } }, { status: 202, headers: { location, 'retry-after': '3600' } }, { status: 204 }]);
  const final = await followAsyncOperation(await fetch(location), { defaultRetryAfterSeconds: 0, maxRetryAfterSeconds: 0, timeoutMs: 10_000 });
  assert.deepEqual([final.status, final.body, final.polls], [204, undefined, 2]);
});

test('retryAfterSeconds reads delay-seconds and HTTP-dates, and ignores anything else', () => {
  const now = Date.parse('2024-05-01T10:00:00Z');
  assert.equal(retryAfterSeconds('5', now), 5);
  assert.equal(retryAfterSeconds(' 0 ', now), 0);
  assert.equal(retryAfterSeconds('Wed, 01 May 2024 10:00:30 GMT', now), 30);
  assert.equal(retryAfterSeconds('Wed, 01 May 2024 09:00:00 GMT', now), 0);
  assert.equal(retryAfterSeconds(null, now), undefined);
  assert.equal(retryAfterSeconds('-3', now), undefined);
  assert.equal(retryAfterSeconds('soon', now), undefined);
  assert.equal(retryAfterSeconds('2024-05-01T10:00:30Z', now), undefined, 'not an HTTP-date');
});
