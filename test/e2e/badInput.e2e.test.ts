// Hostile and mistaken input on every route, over HTTP to the real local host: each case answers 4xx with a JSON
// error naming the field and the rule — never 5xx, never a stack trace — and starts nothing (counted at the device
// and in the running list).
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { OperationsApi, type Kind } from './support/operationsApi';

const VICTIM = 'victim-01';
const KINDS: Kind[] = ['reboot', 'factoryReset', 'firmwareUpdate'];
const FW = { fwPackageUri: 'https://firmware.example.com/fw.bin' };

interface Case {
  name: string;
  method?: 'GET' | 'POST';
  /** Below /api/, without the function key (added unless `noKey`). */
  path: string;
  body?: string | Uint8Array;
  contentType?: string | null;
  status: number;
  /** error.target expected; undefined: any target, but one must be there. */
  target?: string;
}

const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const json = (value: unknown): string => JSON.stringify(value);

function startCases(kind: Kind): Case[] {
  const path = `devices/${VICTIM}/${kind}`;
  const base = kind === 'firmwareUpdate' ? { payload: FW } : {};
  const body = (fields: Record<string, unknown>): string => json({ ...base, ...fields });
  const cases: Array<Omit<Case, 'path' | 'method'> & { path?: string }> = [
    { name: 'timeoutSeconds below 10', body: body({ timeoutSeconds: 5 }), status: 400, target: 'timeoutSeconds' },
    { name: 'timeoutSeconds as a string', body: body({ timeoutSeconds: '600' }), status: 400, target: 'timeoutSeconds' },
    { name: 'timeoutSeconds fractional', body: body({ timeoutSeconds: 600.5 }), status: 400, target: 'timeoutSeconds' },
    { name: 'timeoutSeconds above a day', body: body({ timeoutSeconds: 86_401 }), status: 400, target: 'timeoutSeconds' },
    { name: 'timeoutSeconds 1e400 (Infinity)', body: `{"timeoutSeconds":1e400${kind === 'firmwareUpdate' ? `,"payload":${json(FW)}` : ''}}`, status: 400, target: 'timeoutSeconds' },
    { name: 'pollIntervalSeconds 0', body: body({ pollIntervalSeconds: 0 }), status: 400, target: 'pollIntervalSeconds' },
    { name: 'pollIntervalSeconds 301', body: body({ pollIntervalSeconds: 301 }), status: 400, target: 'pollIntervalSeconds' },
    { name: 'pollIntervalSeconds beyond timeoutSeconds', body: body({ pollIntervalSeconds: 60, timeoutSeconds: 30 }), status: 400, target: 'pollIntervalSeconds' },
    { name: 'responseTimeoutInSeconds 4', body: body({ responseTimeoutInSeconds: 4 }), status: 400, target: 'responseTimeoutInSeconds' },
    { name: 'responseTimeoutInSeconds 301', body: body({ responseTimeoutInSeconds: 301 }), status: 400, target: 'responseTimeoutInSeconds' },
    { name: 'connectTimeoutInSeconds -1', body: body({ connectTimeoutInSeconds: -1 }), status: 400, target: 'connectTimeoutInSeconds' },
    { name: 'connectTimeoutInSeconds null', body: body({ connectTimeoutInSeconds: null }), status: 400, target: 'connectTimeoutInSeconds' },
    { name: 'a methodName field (the route alone picks the method)', body: body({ methodName: 'factoryReset' }), status: 400, target: 'methodName' },
    { name: 'an operation field', body: body({ operation: 'factoryReset' }), status: 400, target: 'operation' },
    { name: 'a field with a control character', body: body({ 'a\u0001b': 1 }), status: 400, target: 'a?b' },
    { name: 'body is an array', body: '[]', status: 400, target: 'body' },
    { name: 'body is a string', body: '"reboot"', status: 400, target: 'body' },
    { name: 'body is a number', body: '42', status: 400, target: 'body' },
    { name: 'body is null', body: 'null', status: 400, target: 'body' },
    { name: 'body is truncated JSON', body: '{"timeoutSeconds":', status: 400, target: 'body' },
    { name: 'body has a trailing comma', body: '{"timeoutSeconds":60,}', status: 400, target: 'body' },
    { name: 'body is two JSON texts', body: '{}{}', status: 400, target: 'body' },
    { name: 'payload nested 33 levels', body: `{"payload":${nested(33)}}`, status: 400, target: 'body' },
    { name: 'body nested 5,000 levels', body: nested(5000), status: 400, target: 'body' },
    { name: 'body nested 3,000 levels in the payload', body: `{"payload":${nested(3000)}}`, status: 400, target: 'body' },
    { name: '__proto__ at the top', body: '{"__proto__":{"timeoutSeconds":10}}', status: 400, target: '__proto__' },
    { name: '__proto__ inside the payload', body: '{"payload":{"a":{"__proto__":{"polluted":true}}}}', status: 400, target: 'payload.a.__proto__' },
    { name: 'invalid UTF-8', body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), status: 400, target: 'body' },
    { name: 'an overlong UTF-8 encoding', body: new Uint8Array([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]), status: 400, target: 'body' },
    { name: 'a lone surrogate encoded as UTF-8', body: new Uint8Array([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d]), status: 400, target: 'body' },
    { name: 'Content-Type text/plain', body: '{}', contentType: 'text/plain', status: 415, target: 'Content-Type' },
    { name: 'Content-Type application/json-seq', body: '\u001e{}\n', contentType: 'application/json-seq', status: 415, target: 'Content-Type' },
    { name: 'Content-Type form-urlencoded', body: 'timeoutSeconds=60', contentType: 'application/x-www-form-urlencoded', status: 415, target: 'Content-Type' },
    { name: 'Content-Type with charset latin1', body: '{}', contentType: 'application/json; charset=latin1', status: 415, target: 'Content-Type' },
    { name: 'Content-Type merge-patch+json', body: '{}', contentType: 'application/merge-patch+json', status: 415, target: 'Content-Type' },
    { name: 'no Content-Type with a body', body: new TextEncoder().encode('{}'), contentType: null, status: 415, target: 'Content-Type' },
    { name: 'payload over 128 KB', body: json({ ...base, payload: { ...(kind === 'firmwareUpdate' ? FW : {}), blob: 'x'.repeat(140 * 1024) } }), status: 413, target: 'payload' },
    { name: 'body over 256 KB', body: json({ payload: 'y'.repeat(300 * 1024) }), status: 413, target: 'body' },
    { name: 'an unknown query parameter', path: `${path}?force=true`, body: body({}), status: 400, target: 'force' },
    { name: 'a device id of 129 characters', path: `devices/${'a'.repeat(129)}/${kind}`, body: body({}), status: 400, target: 'deviceId' },
    { name: 'a device id with a space', path: `devices/a%20b/${kind}`, body: body({}), status: 400, target: 'deviceId' },
    { name: 'a device id with a non-ASCII letter', path: `devices/caf%C3%A9/${kind}`, body: body({}), status: 400, target: 'deviceId' },
    { name: 'a device id with a NUL', path: `devices/a%00b/${kind}`, body: body({}), status: 400, target: 'deviceId' },
  ];
  return cases.map((c) => ({ ...c, method: 'POST' as const, path: c.path ?? path, name: `POST ${kind}: ${c.name}`, contentType: c.contentType === undefined ? 'application/json' : c.contentType }));
}

function firmwareCases(): Case[] {
  const path = `devices/${VICTIM}/firmwareUpdate`;
  const target = 'payload.fwPackageUri';
  const payloads: Array<[string, unknown]> = [
    ['no payload', undefined],
    ['payload is a string', 'https://firmware.example.com/fw.bin'],
    ['payload is an array', [FW]],
    ['fwPackageUri missing', { version: '2.0' }],
    ['fwPackageUri empty', { fwPackageUri: '' }],
    ['fwPackageUri http:', { fwPackageUri: 'http://firmware.example.com/fw.bin' }],
    ['fwPackageUri ftp:', { fwPackageUri: 'ftp://firmware.example.com/fw.bin' }],
    ['fwPackageUri javascript:', { fwPackageUri: 'javascript:alert(1)' }],
    ['fwPackageUri file:', { fwPackageUri: 'file:///etc/passwd' }],
    ['fwPackageUri relative', { fwPackageUri: '/fw.bin' }],
    ['fwPackageUri of 2,049 characters', { fwPackageUri: `https://firmware.example.com/${'a'.repeat(2020)}` }],
    ['fwPackageUri with a user and password', { fwPackageUri: 'https://user:secret@firmware.example.com/fw.bin' }],
    ['fwPackageUri a number', { fwPackageUri: 42 }],
  ];
  return payloads.map(([name, payload]) => ({
    name: `POST firmwareUpdate: ${name}`, method: 'POST', path, contentType: 'application/json',
    body: json(payload === undefined ? {} : { payload }), status: 400, target,
  }));
}

function otherRouteCases(): Case[] {
  return [
    { name: 'GET status: not an operation id', path: 'operations/not-an-operation', status: 404, target: 'instanceId' },
    { name: 'GET status: another app\'s instance id shape', path: 'operations/reboot-victim-01-0', status: 404, target: 'instanceId' },
    { name: 'GET status: a well-formed id that does not exist', path: 'operations/reboot-victim-01-77', status: 404, target: 'instanceId' },
    { name: 'GET status: an unknown query parameter', path: 'operations/reboot-victim-01-1?showHistory=true', status: 400, target: 'showHistory' },
    { name: 'POST cancel: not an operation id', method: 'POST', path: 'operations/whatever/cancel', status: 404, target: 'instanceId' },
    { name: 'POST cancel: a well-formed id that does not exist', method: 'POST', path: 'operations/reboot-victim-01-77/cancel', status: 404, target: 'instanceId' },
    { name: 'POST cancel: a body with fields', method: 'POST', path: 'operations/reboot-victim-01-77/cancel', body: '{"force":true}', contentType: 'application/json', status: 400, target: 'body' },
    { name: 'POST cancel: a text body', method: 'POST', path: 'operations/reboot-victim-01-77/cancel', body: 'now', contentType: 'text/plain', status: 415, target: 'Content-Type' },
    { name: 'POST cancel: an unknown query parameter', method: 'POST', path: 'operations/reboot-victim-01-77/cancel?force=true', status: 400, target: 'force' },
    { name: 'GET running: state=done', path: 'operations?state=done', status: 400, target: 'state' },
    { name: 'GET running: state twice', path: 'operations?state=running&state=running', status: 400, target: 'state' },
    { name: 'GET running: top=0', path: 'operations?top=0', status: 400, target: 'top' },
    { name: 'GET running: top=101', path: 'operations?top=101', status: 400, target: 'top' },
    { name: 'GET running: top=abc', path: 'operations?top=abc', status: 400, target: 'top' },
    { name: 'GET running: top=-1', path: 'operations?top=-1', status: 400, target: 'top' },
    { name: 'GET running: top twice', path: 'operations?top=5&top=6', status: 400, target: 'top' },
    { name: 'GET running: garbage continuationToken', path: 'operations?continuationToken=%21%21%21', status: 400, target: 'continuationToken' },
    { name: 'GET running: base64 of a non-token', path: `operations?continuationToken=${Buffer.from('[1,2]').toString('base64')}`, status: 400, target: 'continuationToken' },
    { name: 'GET running: empty continuationToken', path: 'operations?continuationToken=', status: 400, target: 'continuationToken' },
    { name: 'GET running: unknown parameter', path: 'operations?deviceId=victim-01', status: 400, target: 'deviceId' },
    { name: 'GET history: top=0', path: `devices/${VICTIM}/operations?top=0`, status: 400, target: 'top' },
    { name: 'GET history: top=1e2', path: `devices/${VICTIM}/operations?top=1e2`, status: 400, target: 'top' },
    { name: 'GET history: garbage continuationToken', path: `devices/${VICTIM}/operations?continuationToken=@@`, status: 400, target: 'continuationToken' },
    { name: 'GET history: unknown parameter', path: `devices/${VICTIM}/operations?state=running`, status: 400, target: 'state' },
    { name: 'GET history: bad device id', path: `devices/${'b'.repeat(200)}/operations`, status: 400, target: 'deviceId' },
    { name: 'GET report: unknown kind', path: 'reports/selfDestruct', status: 404, target: 'operation' },
    { name: 'GET report: connectionState=maybe', path: 'reports/reboot?connectionState=maybe', status: 400, target: 'connectionState' },
    { name: 'GET report: connectionState twice', path: 'reports/reboot?connectionState=Connected&connectionState=Connected', status: 400, target: 'connectionState' },
    { name: 'GET report: tagName without tagValue', path: 'reports/reboot?tagName=site', status: 400, target: 'tagValue' },
    { name: 'GET report: tagValue without tagName', path: 'reports/reboot?tagValue=north', status: 400, target: 'tagName' },
    { name: 'GET report: tagName with query syntax', path: `reports/reboot?tagName=${encodeURIComponent("site' OR 1=1 --")}&tagValue=x`, status: 400, target: 'tagName' },
    { name: 'GET report: tagValue with a control character', path: 'reports/reboot?tagName=site&tagValue=a%0Ab', status: 400, target: 'tagValue' },
    { name: 'GET report: deviceIdPrefix with a space', path: 'reports/firmwareUpdate?deviceIdPrefix=a%20b', status: 400, target: 'deviceIdPrefix' },
    { name: 'GET report: unknown parameter', path: 'reports/factoryReset?groupBy=status', status: 400, target: 'groupBy' },
  ];
}

const CASES: Case[] = [...KINDS.flatMap(startCases), ...firmwareCases(), ...otherRouteCases()];

let stack: LocalStack;
let api: OperationsApi;

describe(`bad input on every route (${CASES.length} cases)`, () => {
  before(async () => {
    stack = await startLocalStack({ deviceIds: [VICTIM], log: 'silent' });
    api = new OperationsApi(stack);
  });
  after(async () => {
    // Nothing reached the device, nothing runs, nothing was recorded.
    if (stack !== undefined) {
      try {
        assert.equal(stack.devices.device(VICTIM).methodCount(), 0, 'the device received a method');
        assert.deepEqual(await api.running(), []);
        assert.deepEqual(await api.history(VICTIM), []);
      } finally {
        await stack.stop();
      }
    }
  });

  test('there are at least 100 cases', () => {
    assert.ok(CASES.length >= 100, `${CASES.length} cases`);
    assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, 'case names are unique');
  });

  for (const c of CASES) {
    test(c.name, async () => {
      const headers: Record<string, string> = {};
      if (c.contentType !== undefined && c.contentType !== null) headers['content-type'] = c.contentType;
      const response = await fetch(api.url(c.path), { method: c.method ?? 'GET', headers, body: c.body });
      const text = await response.text();
      assert.equal(response.status, c.status, `${response.status}: ${text.slice(0, 300)}`);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; target?: unknown } };
      assert.equal(typeof body.error?.code, 'string');
      assert.equal(typeof body.error?.message, 'string');
      assert.ok((body.error!.message as string).length > 10, 'the message says what is wrong');
      assert.doesNotMatch(text, /\bat [\w.<>]+ \(|node:internal|\.js:\d+/, 'no stack trace');
      if (c.target !== undefined) assert.equal(body.error?.target, c.target);
      else assert.equal(typeof body.error?.target, 'string');
    });
  }
});
