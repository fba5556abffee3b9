// `npm run package`'s zip, extracted into an empty folder and served by the local Functions host: a reboot succeeds
// from the packaged content alone (a missing file or dependency fails here), and nothing local or dev-only is inside.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageApp, type PackageResult } from '../../scripts/packageApp';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { followAsyncOperation } from '../../local/cli/asyncPoller';
import { REPO_ROOT } from './repoRoot';
import { unzip } from './unzip';

let work: string;
let result: PackageResult;
let appRoot: string;
let names: string[];

describe('the deployment package', () => {
  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'package-test-'));
    result = await packageApp(REPO_ROOT, { outDir: path.join(work, 'out'), stage: false });
    appRoot = path.join(work, 'extracted');
    fs.mkdirSync(appRoot);
    names = await unzip(result.zipPath, appRoot);
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('holds every entry it reports, and the files the host loads', () => {
    assert.deepEqual([...names].sort(), result.entries);
    for (const required of ['host.json', 'package.json', 'dist/functions/startOperation.js', 'dist/src/config.js',
      'node_modules/@azure/functions/package.json', 'node_modules/durable-functions/package.json', 'node_modules/azure-iothub/package.json']) {
      assert.ok(names.includes(required), `${required} is in the zip`);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(appRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(pkg.main, 'dist/functions/*.js');
    assert.equal(pkg.devDependencies, undefined);
    assert.equal(pkg.scripts, undefined);
  });

  test('leaves out local/, test/, bench/, scripts/, sources and every dev-only package', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([folder, entry]) => folder !== '' && entry.dev === true).map(([folder]) => folder);
    assert.ok(devOnly.includes('node_modules/typescript') && devOnly.includes('node_modules/azurite'), 'the lock marks dev-only packages');
    const forbidden = [/^local\//, /^test\//, /^bench\//, /^scripts\//, /^src\//, /^functions\//, /^infra\//, /^dist\/(local|test|bench|scripts)\//,
      /^dist\/.*\.map$/, /^local\.settings/];
    for (const name of names) {
      for (const pattern of forbidden) assert.doesNotMatch(name, pattern);
    }
    for (const folder of devOnly) {
      assert.ok(!fs.existsSync(path.join(appRoot, folder)), `dev-only ${folder} is not packaged`);
    }
  });

  describe('served by the local host from the extracted folder alone', () => {
    let stack: LocalStack;
    before(async () => {
      stack = await startLocalStack({ appRoot, deviceIds: ['pkg-001'], rebootDurationMs: 300, log: 'silent' });
    });
    after(async () => stack?.stop());

    test('a reboot succeeds', { timeout: 90_000 }, async () => {
      assert.equal(stack.host.functions.length > 0, true);
      const first = await fetch(`${stack.baseUrl}/api/devices/pkg-001/reboot?code=${encodeURIComponent(stack.functionKey)}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pollIntervalSeconds: 1, timeoutSeconds: 60 }),
      });
      assert.equal(first.status, 202, await first.clone().text());
      const final = await followAsyncOperation(first, { timeoutMs: 60_000 });
      assert.equal(final.status, 200);
      assert.equal((final.body as { outcome: string }).outcome, 'Succeeded', JSON.stringify(final.body));
    });
  });
});
