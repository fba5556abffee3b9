// Which reported patches can end an operation, per kind: progress-only reports wake no twin read. The patches are
// the ones the Microsoft DM samples and this project's devices send (local/devices/scripts.ts).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { allOperations, operationDefinition, type OperationKind } from '../../../src/domain/operations/registry';

const now = '2025-01-01T00:00:00Z';
const CASES: Record<OperationKind, [string, unknown, boolean][]> = {
  reboot: [
    ['rebooting (this project)', { status: 'rebooting', startedRebootTime: now, failedTime: null, reason: null }, false],
    ['completed', { status: 'completed', lastReboot: now }, true],
    ['Completed, any case', { status: 'Completed' }, true],
    ['failed with a reason', { status: 'failed', failedTime: now, reason: 'disk' }, true],
    ['the SDK sample start time', { startedRebootTime: now }, false],
    ['the tutorial completion time', { lastReboot: now }, true],
    ['status removed', { status: null }, true],
    ['the section cleared', null, true],
    ['an unknown field only', { progress: 50 }, false],
  ],
  factoryReset: [
    ['resetting', { status: 'resetting', startedFactoryResetTime: now, failedTime: null, reason: null }, false],
    ['completed', { status: 'completed', lastFactoryReset: now }, true],
    ['failed', { status: 'failed', reason: 'x' }, true],
    ['the completion time alone', { lastFactoryReset: now }, true],
    ['the reboot completion field is not this one', { lastReboot: now }, false],
  ],
  firmwareUpdate: [
    ['downloading', { status: 'downloading', startedDownloadingTime: now, reason: null }, false],
    ['download complete', { status: 'download complete', downloadCompleteTime: now }, false],
    ['applying', { status: 'applying', startedApplyingImage: now }, false],
    ['apply firmware image complete', { status: 'apply firmware image complete', lastFirmwareUpdate: now, firmwareVersion: '2.0' }, true],
    ['Download image failed', { status: 'Download image failed', reason: 'x' }, true],
    ['apply image failed', { status: 'apply image failed' }, true],
    ['completed (this project)', { status: 'completed' }, true],
    ['lastFirmwareUpdate alone', { lastFirmwareUpdate: now }, true],
    ['a version alone', { firmwareVersion: '2.0' }, false],
  ],
};

test('each kind says which reported patches of its section can end it', async (t) => {
  assert.deepEqual(Object.keys(CASES).sort(), allOperations().map((d) => d.kind).sort(), 'every kind has cases');
  for (const [kind, cases] of Object.entries(CASES) as [OperationKind, [string, unknown, boolean][]][]) {
    await t.test(kind, async (t) => {
      for (const [name, patch, mayEnd] of cases) {
        await t.test(name, () => assert.equal(operationDefinition(kind).mayEnd(patch), mayEnd));
      }
    });
  }
});
