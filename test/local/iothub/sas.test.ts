// SAS token parsing and verification as pure functions: HMAC over `sr` exactly as sent, expiry, segment scope.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseSasToken } from '../../../local/iothub/sas/token';
import { scopeCovers, verifySasToken } from '../../../local/iothub/sas/verify';

const KEY = Buffer.alloc(32, 3).toString('base64');

function token(sr: string, se: number, key = KEY, skn?: string): string {
  const sig = encodeURIComponent(createHmac('sha256', Buffer.from(key, 'base64')).update(`${sr}\n${se}`).digest('base64'));
  return `SharedAccessSignature sr=${sr}&sig=${sig}&se=${se}${skn ? `&skn=${skn}` : ''}`;
}

const future = Math.floor(Date.now() / 1000) + 600;

describe('SAS tokens', () => {
  it('parses fields in any order and keeps them exactly as sent', () => {
    const parsed = parseSasToken('SharedAccessSignature skn=iothubowner&se=123&sr=hub%2Fdevices%2Fa&sig=abc%3D');
    assert.deepEqual(parsed, { resourceUri: 'hub%2Fdevices%2Fa', signature: 'abc%3D', expiry: '123', keyName: 'iothubowner' });
  });

  it('rejects malformed tokens', () => {
    for (const value of [undefined, '', 'Bearer x', 'SharedAccessSignature sr=a&sig=b', 'SharedAccessSignature sr=a&sig=b&se=soon', 'SharedAccessSignature sr=a&sr=b&sig=c&se=1', 'SharedAccessSignature junk']) {
      assert.equal(parseSasToken(value), undefined, String(value));
    }
  });

  it('verifies the HMAC over sr as sent, raw or URL-encoded', () => {
    const raw = parseSasToken(token('myhub.example', future)) ?? assert.fail();
    assert.equal(verifySasToken(raw, KEY, ['myhub.example/twins/d1']), undefined);
    const encoded = parseSasToken(token(encodeURIComponent('myhub.example/devices/d1'), future)) ?? assert.fail();
    assert.equal(verifySasToken(encoded, KEY, ['myhub.example/devices/d1']), undefined);
    const lowerHex = parseSasToken(token('myhub.example%2fdevices%2fd1', future)) ?? assert.fail();
    assert.equal(verifySasToken(lowerHex, KEY, ['myhub.example/devices/d1']), undefined, 'lower-case hex encodings verify too');
  });

  it('reports a wrong key, expiry and scope, in that order of checks', () => {
    const other = Buffer.alloc(32, 4).toString('base64');
    assert.equal(verifySasToken(parseSasToken(token('hub', future, other)) ?? assert.fail(), KEY, ['hub']), 'signature');
    assert.equal(verifySasToken(parseSasToken(token('hub', 1000)) ?? assert.fail(), KEY, ['hub']), 'expired');
    assert.equal(verifySasToken(parseSasToken(token('hub/devices/a', future)) ?? assert.fail(), KEY, ['hub/devices/b']), 'scope');
    const tampered = token('hub', future).replace(`se=${future}`, `se=${future + 1}`);
    assert.equal(verifySasToken(parseSasToken(tampered) ?? assert.fail(), KEY, ['hub']), 'signature');
  });

  it('scopes by whole path segments, case-insensitively', () => {
    const scoped = (sr: string) => parseSasToken(token(sr, future)) ?? assert.fail();
    assert.equal(scopeCovers(scoped('hub/a/b'), ['hub/a/b/c']), true);
    assert.equal(scopeCovers(scoped('hub/a/b'), ['hub/a/bc']), false);
    assert.equal(scopeCovers(scoped('HUB/A'), ['hub/a']), true);
    assert.equal(scopeCovers(scoped('hub/a/'), ['hub/a/x']), true);
    assert.equal(scopeCovers(scoped('%E0%A4%A'), ['x']), false, 'an undecodable sr covers nothing');
  });
});
