// Command-line parsing of the local host.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs } from '../../../local/host/cli';

describe('local host CLI', () => {
  it('parses flags with defaults from the environment', () => {
    assert.deepEqual(parseArgs(['--app-root', '/app', '--port', '0', '--clock', 'virtual', '--json'], { AzureWebJobsStorage: 'UseDevelopmentStorage=true' }), {
      appRoot: '/app',
      port: 0,
      storage: 'UseDevelopmentStorage=true',
      clock: 'virtual',
      host: '127.0.0.1',
      json: true,
      keys: {},
    });
    assert.deepEqual(parseArgs(['--function-key', 'f', '--master-key', 'm', '--system-key', 's'], {}).keys, { functionKey: 'f', masterKey: 'm', systemKey: 's' });
    assert.equal(parseArgs(['--storage', 'memory'], {}).storage, 'memory');
    assert.equal(parseArgs([], {}).port, 7071);
  });
});
