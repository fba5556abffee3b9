// The project's own Functions app (compiled by `npm run build` into dist/functions) loads on the local
// host from the repository root, exactly as the Node worker would load it from package.json `main`.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { startLocalHost } from '../../../local/host/index';
import { findTrigger } from '../../../local/host/rpc/types';
import { repoRoot } from './helpers';

describe('local host: the real app', () => {
  it('registers the compiled app from the repository root', async () => {
    const root = repoRoot();
    // Compiled tests run from <build>/test/local/host: the app compiled with them is <build>/functions.
    const build = path.resolve(__dirname, '..', '..', '..');
    let appRoot = root;
    let staged: string | undefined;
    if (build !== root && build !== path.join(root, 'dist') && fs.existsSync(path.join(build, 'functions'))) {
      // A private build folder (not dist/): give it the same package.json `main` shape and host.json.
      staged = fs.mkdtempSync(path.join(build, 'app-root-'));
      fs.writeFileSync(path.join(staged, 'package.json'), JSON.stringify({ main: '../functions/*.js' }));
      fs.copyFileSync(path.join(root, 'host.json'), path.join(staged, 'host.json'));
      appRoot = staged;
    } else {
      assert.ok(fs.existsSync(path.join(root, 'dist', 'functions')), 'dist/functions is missing: run `npm run build` first');
    }
    const sample = JSON.parse(fs.readFileSync(path.join(root, 'local.settings.sample.json'), 'utf8')) as { Values: Record<string, string> };
    const host = await startLocalHost({ appRoot, env: sample.Values });
    try {
      const types = host.functions.map((f) => String(findTrigger(f)?.binding.type));
      assert.ok(types.includes('httpTrigger'), 'HTTP functions');
      assert.ok(types.includes('orchestrationTrigger'), 'an orchestrator');
      assert.ok(types.includes('activityTrigger'), 'activities');
      assert.equal(host.hubName, sample.Values.DURABLE_TASK_HUB_NAME);
      // A function-level route without a key is refused by the host, before the app runs.
      const http = host.functions.find((f) => findTrigger(f)?.binding.authLevel === 'function');
      assert.ok(http, 'a function-level HTTP trigger');
      const res = await fetch(`${host.baseUrl}/api/does-not-exist`);
      assert.equal(res.status, 404);
    } finally {
      await host.stop();
      if (staged) fs.rmSync(staged, { recursive: true, force: true });
    }
  });
});
