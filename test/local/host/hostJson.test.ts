import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { validateHubName } from '../../../local/host/config/hostJson';

test('task hub names follow the Durable rule: 3-45 letters or digits, starting with a letter', () => {
  for (const good of ['abc', 'DeviceRebootLocal', `a${'b'.repeat(44)}`, 'Hub2']) assert.equal(validateHubName(good), good);
  for (const bad of ['ab', `a${'b'.repeat(45)}`, '1hub', 'my-hub', 'my hub', '']) {
    assert.throws(() => validateHubName(bad), /3-45 letters or digits/, JSON.stringify(bad));
  }
});
