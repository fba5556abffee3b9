// No key, connection string with a secret, or secret-looking value anywhere in infra/ (templates and parameters),
// and no output that could carry one.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './repoRoot';

const FORBIDDEN: Array<[string, RegExp]> = [
  ['listKeys() (account or hub keys)', /listKeys\s*\(/i],
  ['listConnectionStrings() / listSecrets()', /list(ConnectionStrings|Secrets|AccountSas|ServiceSas)\s*\(/i],
  ['a storage account key', /AccountKey\s*=/i],
  ['an IoT Hub shared access key', /SharedAccessKey/i],
  ['a SAS token', /SharedAccessSignature|[?&]sig=/i],
  ['an instrumentation key written by hand', /InstrumentationKey\s*=/i],
  ['a key property', /\.(primaryKey|secondaryKey|primaryConnectionString|keys)\b/],
  ['a @secure() value (nothing here should need one)', /@secure\(\)/],
  ['a long base64 literal', /'[A-Za-z0-9+/]{40,}={0,2}'/],
];

function infraFiles(dir = 'infra'): string[] {
  return fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? infraFiles(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
}

describe('no secrets in infra/', () => {
  for (const file of infraFiles()) {
    test(file, () => {
      const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
      for (const [what, pattern] of FORBIDDEN) assert.doesNotMatch(text, pattern, `${file} holds ${what}`);
      for (const output of text.matchAll(/^output (\w+) /gm)) {
        assert.doesNotMatch(output[1]!, /key|secret|password|token|connection/i, `${file} output ${output[1]}`);
      }
    });
  }

  test('shared-key access to Storage and local auth to Application Insights are off', () => {
    const storage = fs.readFileSync(path.join(REPO_ROOT, 'infra/app/storage.bicep'), 'utf8');
    const monitoring = fs.readFileSync(path.join(REPO_ROOT, 'infra/app/monitoring.bicep'), 'utf8');
    assert.match(storage, /allowSharedKeyAccess: false/);
    assert.match(monitoring, /DisableLocalAuth: true/);
  });

  test('the scanner itself catches each kind of secret', () => {
    const samples = ['listKeys(hub.id)', 'AccountName=a;AccountKey=abc', 'HostName=h;SharedAccessKeyName=p;SharedAccessKey=x',
      'https://a/b?sv=1&sig=abc', 'InstrumentationKey=00000000', 'stg.listKeys().keys[0].value', 'hub.properties.primaryKey',
      '@secure()', "'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w'"];
    for (const sample of samples) assert.ok(FORBIDDEN.some(([, p]) => p.test(sample)), sample);
  });
});
