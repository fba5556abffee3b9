import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { findUnusedExports } from '../../scripts/unusedExports';

/** A throwaway project: src/ with an entry point and a library, test/ with a test of the library. */
function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unused-exports-'));
  const tsconfig = { compilerOptions: { strict: true, module: 'node16', moduleResolution: 'node16', types: [] }, include: ['**/*.ts'] };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

test('reports exports used nowhere and exports only tests import, and nothing the code uses or marks @public', (t) => {
  const dir = project({
    'src/main.ts': "import { used, viaAlias as renamed } from './lib';\nimport * as whole from './whole';\nconsole.log(used(), renamed, whole);\n",
    'src/lib.ts': [
      'export function used(): number { return helperUsedInside(); }',
      'export function helperUsedInside(): number { return 1; }',
      'export const viaAlias = 2;',
      'export function dead(): void {}',
      'export function keptAliveByItsTest(): number { return 3; }',
      'export type DeadType = string;',
      '/** Read by the deployment checks. @public */',
      'export const SETTING_NAMES = Object.freeze({ a: 1 });',
    ].join('\n'),
    'src/whole.ts': 'export const reachedThroughNamespace = 4;\n',
    'test/lib.test.ts': "import { keptAliveByItsTest } from '../src/lib';\nkeptAliveByItsTest();\n",
  });
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const found = findUnusedExports(path.join(dir, 'tsconfig.json')).map((u) => `${u.file} ${u.name} ${u.kind}`);
  assert.deepEqual(found, [
    'src/lib.ts dead unused',
    'src/lib.ts keptAliveByItsTest tests only',
    'src/lib.ts DeadType unused',
  ]);
});
