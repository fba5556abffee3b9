// The firmware version a completed update reports is the one the device wrote for this operation: a version field
// stored before the method was sent describes the firmware from before the update.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { judgeFirmwareUpdate } from '../../../src/domain/operations/firmwareUpdate';
import { SectionReading } from '../../../src/domain/reportedSection';

const SINCE = '2025-05-01T12:00:00.000Z';
const BEFORE = '2025-05-01T11:00:00.000Z';
const AFTER = '2025-05-01T12:00:05.000Z';

function judge(values: Record<string, unknown>, times: Record<string, string>) {
  return judgeFirmwareUpdate(new SectionReading({ values, lastUpdated: times, connectionState: 'Connected', connectionStateUpdatedTime: null, reportedVersion: 1 }, SINCE));
}

test('firmware version: fresh fields only, in order of preference', async (t) => {
  const cases: [string, Record<string, unknown>, Record<string, string>, string | undefined][] = [
    ['a fresh fwVersion', { status: 'apply firmware image complete', fwVersion: '2.0' }, { status: AFTER, fwVersion: AFTER }, '2.0'],
    ['a stale fwVersion (the old firmware)', { status: 'apply firmware image complete', fwVersion: '1.0' }, { status: AFTER, fwVersion: BEFORE }, undefined],
    ['a stale firmwareVersion, a fresh version', { status: 'completed', firmwareVersion: '1.0', version: '2.0' }, { status: AFTER, firmwareVersion: BEFORE, version: AFTER }, '2.0'],
    ['completion by lastFirmwareUpdate with a stale currentFwVersion', { lastFirmwareUpdate: 'x', currentFwVersion: '1.0' }, { lastFirmwareUpdate: AFTER, currentFwVersion: BEFORE }, undefined],
  ];
  for (const [name, values, times, expected] of cases) {
    await t.test(name, () => {
      const verdict = judge(values, times);
      assert.equal(verdict.state, 'completed');
      assert.equal(verdict.state === 'completed' ? verdict.firmwareVersion : 'x', expected);
    });
  }
});
