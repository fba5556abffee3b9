// Twin change events → wakes: the batch as the Functions Event Hubs trigger passes it (bodies + the
// systemPropertiesArray / propertiesArray trigger metadata), one change per device, and a TwinChanged event raised
// only to a running operation that watches the changed section.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { InvocationContext } from '@azure/functions';
import type { DeviceLease } from '../../../src/domain/deviceLease';
import { handleTwinChangeEvents } from '../../../src/events/twinChangeFunction';
import { readTwinChangeBatch, type BatchMetadata } from '../../../src/events/twinChangeBatch';
import { wakeOperations } from '../../../src/events/wakeOperations';
import type { OperationKind } from '../../../src/domain/operations/registry';
import { TWIN_CHANGED_EVENT } from '../../../src/orchestrations/deviceOperation';

interface Event { body: unknown; system: Record<string, unknown>; app: Record<string, unknown> }
const twin = (deviceId: string, reported: Record<string, unknown>, version: number, extra: Partial<Event> = {}): Event => ({
  body: { version: version + 10, properties: { reported: { ...reported, $metadata: {}, $version: version } } },
  system: { 'iothub-message-source': 'twinChangeEvents', 'iothub-connection-device-id': deviceId, 'content-type': 'application/json' },
  app: { deviceId, hubName: 'hub', opType: 'updateTwin', 'iothub-message-schema': 'twinChangeNotification' },
  ...extra,
});
const batch = (events: Event[]): [unknown[], BatchMetadata] =>
  [events.map((e) => e.body), { systemPropertiesArray: events.map((e) => e.system), propertiesArray: events.map((e) => e.app) }];
const reboot = (status: string): Record<string, unknown> => ({ iothubDM: { reboot: { status } } });

test('one change per device, the highest reported $version, the sections its patches touched', () => {
  const [bodies, metadata] = batch([
    twin('a', reboot('rebooting'), 5), twin('b', { temperature: 20 }, 2), twin('a', reboot('completed'), 6), twin('a', reboot('completed'), 6),
  ]);
  const { changes, skipped } = readTwinChangeBatch(bodies, metadata);
  assert.equal(skipped, 0);
  assert.deepEqual(changes.map((c) => [c.deviceId, c.reportedVersion, c.sections === 'all' ? 'all' : [...c.sections.keys()]]),
    [['a', 6, ['reboot']], ['b', 2, ['other']]]);
});

test('events that are not device twin changes are skipped', async (t) => {
  const cases: [string, Event][] = [
    ['telemetry', { ...twin('a', reboot('x'), 1), system: { 'iothub-connection-device-id': 'a' } }],
    ['connection state', twin('a', reboot('x'), 1, { system: { 'iothub-message-source': 'deviceConnectionStateEvents', 'iothub-connection-device-id': 'a' } })],
    ['a module twin', twin('a', reboot('x'), 1, { system: { 'iothub-message-source': 'twinChangeEvents', 'iothub-connection-device-id': 'a', 'iothub-connection-module-id': 'm' } })],
    ['no device id', twin('a', reboot('x'), 1, { system: { 'iothub-message-source': 'twinChangeEvents' }, app: {} })],
    ['a desired-property change', twin('a', {}, 1, { body: { version: 3, properties: { desired: { x: 1, $version: 2 } } } })],
  ];
  for (const [name, event] of cases) {
    await t.test(name, () => {
      const [bodies, metadata] = batch([event]);
      assert.deepEqual(readTwinChangeBatch(bodies, metadata), { changes: [], skipped: 1 });
    });
  }
});

test('bodies as text or bytes are read; a replaced or unreadable twin touches every section', async (t) => {
  const text = twin('a', reboot('completed'), 7);
  await t.test('JSON text', () => {
    const [, metadata] = batch([text]);
    assert.equal(readTwinChangeBatch([JSON.stringify(text.body)], metadata).changes[0]!.reportedVersion, 7);
  });
  await t.test('bytes', () => {
    const [, metadata] = batch([text]);
    assert.equal(readTwinChangeBatch([Buffer.from(JSON.stringify(text.body))], metadata).changes[0]!.reportedVersion, 7);
  });
  await t.test('replaceTwin', () => {
    const [bodies, metadata] = batch([twin('a', { temperature: 1 }, 3, { app: { opType: 'replaceTwin' } })]);
    assert.equal(readTwinChangeBatch(bodies, metadata).changes[0]!.sections, 'all');
  });
  await t.test('not JSON', () => {
    const [, metadata] = batch([text]);
    assert.deepEqual(readTwinChangeBatch(['{oops'], metadata).changes[0], { deviceId: 'a', reportedVersion: null, sections: 'all' });
  });
  await t.test('the application deviceId when the system property is missing', () => {
    const event = twin('a', reboot('x'), 1, { system: { 'iothub-message-source': 'twinChangeEvents' } });
    const [bodies, metadata] = batch([event]);
    assert.equal(readTwinChangeBatch(bodies, metadata).changes[0]!.deviceId, 'a');
  });
});

const lease = (deviceId: string, state: DeviceLease['state'], operation: DeviceLease['operation'] = 'reboot'): DeviceLease => ({
  deviceId, instanceId: `${operation}-${deviceId}-1`, operation, state, sequence: 1, acquiredAt: '2025-01-01T00:00:00Z',
  methodAttempt: 1, methodSentAt: null, etag: 'e',
});

test('wakes only running operations that watch the changed section, each with one point read by device id', async () => {
  const leases = new Map<string, DeviceLease>([
    ['running', lease('running', 'running')], ['starting', lease('starting', 'starting')], ['free', lease('free', 'free')],
    ['firmware', lease('firmware', 'running', 'firmwareUpdate')], ['gone', lease('gone', 'running')], ['broken', lease('broken', 'running')],
  ]);
  const reads: string[] = [];
  const raised: { instanceId: string; name: string; data: unknown }[] = [];
  const client = {
    async raiseEvent(instanceId: string, name: string, data: unknown): Promise<void> {
      if (instanceId.includes('gone')) throw new Error(`No instance with ID '${instanceId}' found.`);
      if (instanceId.includes('broken')) throw new Error('connect ECONNREFUSED');
      raised.push({ instanceId, name, data });
    },
  };
  const warnings: string[] = [];
  const context = (metadata: BatchMetadata): InvocationContext => new InvocationContext({
    functionName: 'twinChangeEvents', invocationId: 'i', triggerMetadata: metadata as Record<string, unknown>,
    logHandler: (level, ...args) => { if (level === 'warning') warnings.push(args.join(' ')); },
  });
  const [bodies, metadata] = batch([
    twin('running', reboot('completed'), 6), twin('running', reboot('completed'), 6), twin('starting', reboot('x'), 2), twin('free', reboot('x'), 2),
    twin('none', reboot('x'), 2), twin('firmware', reboot('x'), 2), twin('gone', reboot('failed'), 2), twin('broken', reboot('completed'), 2),
  ]);
  const summary = await handleTwinChangeEvents(bodies, client, context(metadata), {
    async read(deviceId) {
      reads.push(deviceId);
      return leases.get(deviceId) ?? null;
    },
  });
  assert.deepEqual(summary, { woken: 1, idle: 3, unrelated: 1, progress: 0, gone: 1, failed: 1 });
  assert.deepEqual(raised, [{ instanceId: 'reboot-running-1', name: TWIN_CHANGED_EVENT, data: { reportedVersion: 6 } }]);
  assert.deepEqual(reads.sort(), ['broken', 'firmware', 'free', 'gone', 'none', 'running', 'starting'], 'one read per device, duplicates coalesced');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /device 'broken'.*ECONNREFUSED/);
});

test('progress-only reports wake nothing; a batch with any report that can end the operation wakes it once', async (t) => {
  const cases: [string, OperationKind, Event[], { reportedVersion: number | null } | null][] = [
    ['rebooting', 'reboot', [twin('d', reboot('rebooting'), 5)], null],
    ['rebooting, then completed (coalesced)', 'reboot', [twin('d', reboot('rebooting'), 5), twin('d', reboot('completed'), 6)], { reportedVersion: 6 }],
    ['completed, then a later progress report', 'reboot', [twin('d', reboot('completed'), 6), twin('d', reboot('rebooting'), 7)], { reportedVersion: 7 }],
    ['the same progress report twice', 'reboot', [twin('d', reboot('rebooting'), 5), twin('d', reboot('rebooting'), 5)], null],
    ['iothubDM cleared', 'reboot', [twin('d', { iothubDM: null }, 5)], { reportedVersion: 5 }],
    ['a replaced twin', 'reboot', [twin('d', { temperature: 1 }, 5, { app: { deviceId: 'd', opType: 'replaceTwin' } })], { reportedVersion: 5 }],
    ['firmware downloading, download complete, applying', 'firmwareUpdate', [
      twin('d', { iothubDM: { firmwareUpdate: { status: 'downloading' } } }, 2),
      twin('d', { iothubDM: { firmwareUpdate: { status: 'download complete' } } }, 3),
      twin('d', { iothubDM: { firmwareUpdate: { status: 'applying' } } }, 4)], null],
    ['firmware applied', 'firmwareUpdate', [twin('d', { iothubDM: { firmwareUpdate: { status: 'apply firmware image complete' } } }, 5)], { reportedVersion: 5 }],
  ];
  for (const [name, operation, events, wake] of cases) {
    await t.test(name, async () => {
      const raised: unknown[] = [];
      const [bodies, metadata] = batch(events);
      const summary = await wakeOperations(readTwinChangeBatch(bodies, metadata).changes, {
        leases: { read: async (deviceId) => lease(deviceId, 'running', operation) },
        raise: async (_instanceId, signal) => { raised.push(signal); return 'raised'; },
        warn: (message) => assert.fail(message),
      });
      assert.deepEqual(raised, wake === null ? [] : [wake]);
      assert.equal(summary.progress, wake === null ? 1 : 0);
      assert.equal(summary.woken, wake === null ? 0 : 1);
    });
  }
});
