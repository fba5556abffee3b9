// The callback URL rules, with the loopback setting off (as on Azure) and on (the local stack), and a fake
// resolver so host names resolve to chosen addresses without a network.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { refusedAddress } from '../../../src/domain/callbacks/callbackAddress';
import { checkCallbackTarget, parseCallbackUrl, type HostResolver } from '../../../src/domain/callbacks/callbackUrl';
import { RequestError } from '../../../src/domain/requestError';

const OFF = { allowLoopback: false };
const ON = { allowLoopback: true };
const DNS: Record<string, string[]> = {
  'logic.example': ['20.50.1.2', '2603:1030::5'],
  'inside.example': ['10.0.0.7'],
  'mixed.example': ['20.50.1.2', '192.168.0.9'],
  'metadata.example': ['169.254.169.254'],
  localhost: ['127.0.0.1', '::1'],
};
const resolve: HostResolver = async (host) => DNS[host] ?? [];

test('addresses: public ones allowed; private, loopback (unless allowed), link-local and reserved refused', async (t) => {
  const cases: Array<[string, boolean, boolean]> = [
    // address, allowed with the setting off, allowed with it on
    ['20.50.1.2', true, true], ['8.8.8.8', true, true], ['2603:1030::5', true, true],
    ['10.1.2.3', false, false], ['172.16.0.1', false, false], ['172.31.255.255', false, false], ['172.32.0.1', true, true],
    ['192.168.1.1', false, false], ['100.64.0.1', false, false], ['169.254.169.254', false, false], ['168.63.129.16', false, false],
    ['0.0.0.0', false, false], ['224.0.0.1', false, false], ['255.255.255.255', false, false],
    ['127.0.0.1', false, true], ['127.9.9.9', false, true], ['::1', false, true], ['::', false, false],
    ['fd12:3456::1', false, false], ['fe80::1', false, false], ['ff02::1', false, false],
    ['::ffff:10.0.0.1', false, false], ['::ffff:127.0.0.1', false, true], ['::ffff:20.50.1.2', true, true], ['64:ff9b::a00:1', false, false],
  ];
  for (const [address, off, on] of cases) {
    await t.test(address, () => {
      assert.equal(refusedAddress(address, OFF) === undefined, off, 'setting off');
      assert.equal(refusedAddress(address, ON) === undefined, on, 'setting on');
    });
  }
});

test('callback URLs: accepted and refused, each refusal naming callbackUrl without quoting it', async (t) => {
  const cases: Array<{ url: unknown; policy: typeof OFF; ok: boolean }> = [
    { url: 'https://logic.example/workflows/1/triggers/manual/paths/invoke?sig=s3cret', policy: OFF, ok: true },
    { url: 'https://20.50.1.2/cb?sig=s3cret', policy: OFF, ok: true },
    { url: 'http://logic.example/cb?sig=s3cret', policy: OFF, ok: false },
    { url: 'https://inside.example/cb?sig=s3cret', policy: OFF, ok: false },
    { url: 'https://mixed.example/cb?sig=s3cret', policy: OFF, ok: false },
    { url: 'https://metadata.example/cb?sig=s3cret', policy: OFF, ok: false },
    { url: 'https://unknown.example/cb?sig=s3cret', policy: OFF, ok: false },
    { url: 'https://localhost/cb?sig=s3cret', policy: OFF, ok: false },
    { url: 'https://127.0.0.1/cb?sig=s3cret', policy: OFF, ok: false },
    { url: 'http://127.0.0.1:8080/cb?sig=s3cret', policy: OFF, ok: false },
    { url: 'http://127.0.0.1:8080/cb?sig=s3cret', policy: ON, ok: true },
    { url: 'http://localhost:8080/cb?sig=s3cret', policy: ON, ok: true },
    { url: 'http://logic.example/cb?sig=s3cret', policy: ON, ok: false },
    { url: 'https://[fe80::1]/cb?sig=s3cret', policy: ON, ok: false },
    { url: 'ftp://logic.example/cb?sig=s3cret', policy: OFF, ok: false },
    { url: 'https://a:b@logic.example/cb?sig=s3cret', policy: OFF, ok: false },
    { url: `https://logic.example/${'x'.repeat(4100)}?sig=s3cret`, policy: OFF, ok: false },
    { url: 42, policy: OFF, ok: false },
    { url: '', policy: OFF, ok: false },
  ];
  for (const { url, policy, ok } of cases) {
    await t.test(`${String(url).slice(0, 60)} (loopback ${policy.allowLoopback ? 'allowed' : 'refused'})`, async () => {
      const check = async (): Promise<void> => checkCallbackTarget(parseCallbackUrl(url, policy), policy, resolve);
      if (ok) return check();
      await assert.rejects(check, (err: unknown) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.target, 'callbackUrl');
        assert.ok(!err.message.includes('s3cret'));
        return true;
      });
    });
  }
});
