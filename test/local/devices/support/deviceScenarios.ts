// The behaviour scenarios every simulated-device transport must pass, observed from the service side with
// the unmodified azure-iothub SDK against the emulator over TLS. Registered once per transport by
// mqttDevice.test.ts and virtualDevice.test.ts, so both transports meet the very same assertions.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SimulatedDevice, VirtualDevice, type DeviceBehaviour, type DeviceProgram, type DeviceTimings,
} from '../../../../local/devices/index.js';
import { at, hubErrorCode, httpStatus, pollUntil, useIotHubEmulator } from '../../../support/iothub.js';
import { elementAt } from '../../../support/elementAt';

export type Transport = 'mqtt' | 'virtual';

const FAST: Partial<DeviceTimings> = { rebootDurationMs: 300, factoryResetDurationMs: 300, firmwareDownloadMs: 100, firmwareApplyMs: 100 };

interface Observation { status: unknown; connectionState: string | undefined }

export function describeDeviceScenarios(transport: Transport): void {
  describe(`simulated ${transport} device`, () => {
    const hub = useIotHubEmulator();
    let started: DeviceProgram[] = [];
    let serial = 0;

    afterEach(async () => {
      await Promise.all(started.map((d) => d.stop()));
      started = [];
    });

    /** Creates the identity and starts a device of this transport. */
    async function deviceWith(behaviour: DeviceBehaviour = { kind: 'normal' }, timings: Partial<DeviceTimings> = FAST): Promise<DeviceProgram> {
      const deviceId = `${transport}-${++serial}`;
      await hub.emulator.admin.createDevices([deviceId]);
      const device = transport === 'mqtt'
        ? new SimulatedDevice({ deviceId, connectionString: hub.emulator.deviceConnectionString(deviceId), ca: hub.emulator.caCertPem, behaviour, timings })
        : new VirtualDevice({ deviceId, hub: hub.emulator.admin, behaviour, timings });
      started.push(device);
      await device.start();
      return device;
    }

    /** Reads reboot status and connection state until `done` holds; returns everything seen, in order. */
    async function watchReboot(deviceId: string, done: (o: Observation) => boolean, timeoutMs = 10_000): Promise<Observation[]> {
      const seen: Observation[] = [];
      await pollUntil(async () => {
        const [reported, connectionState] = await Promise.all([hub.service.reported(deviceId), hub.service.connectionState(deviceId)]);
        const o = { status: at(reported, 'iothubDM', 'reboot', 'status'), connectionState };
        seen.push(o);
        return o;
      }, done, `reboot of ${deviceId}`, timeoutMs, 20);
      return seen;
    }

    async function assertDeviceNotOnline(deviceId: string): Promise<void> {
      await assert.rejects(hub.service.invoke(deviceId, 'reboot'), (e: unknown) => {
        assert.equal(httpStatus(e), 404);
        assert.equal(hubErrorCode(e), 404103);
        return true;
      });
    }

    test('reboot: 200, reports rebooting, Disconnected during the reboot, Connected after, then completed', async () => {
      const device = await deviceWith({ kind: 'normal' }, { ...FAST, rebootDurationMs: 800 });
      assert.equal(await hub.service.connectionState(device.deviceId), 'Connected');

      const answer = await hub.service.invoke(device.deviceId, 'reboot');
      assert.deepEqual(answer, { status: 200, payload: 'Reboot started' });

      const seen = await watchReboot(device.deviceId, (o) => o.status === 'completed');
      const downAt = seen.findIndex((o) => o.status === 'rebooting' && o.connectionState === 'Disconnected');
      assert.ok(downAt >= 0, `the hub saw the device Disconnected while rebooting: ${JSON.stringify(seen)}`);
      assert.ok(seen.slice(0, downAt).every((o) => o.status !== 'completed'), 'completed only after the disconnection');
      assert.equal(await hub.service.connectionState(device.deviceId), 'Connected');

      const twin = (await hub.service.registry.getTwin(device.deviceId)).responseBody;
      const reboot = at(twin.properties.reported, 'iothubDM', 'reboot') as { lastReboot: string; startedRebootTime: string };
      assert.deepEqual(Object.keys(reboot).sort(), ['lastReboot', 'startedRebootTime', 'status']);
      // Device clock: the gap is at least the simulated reboot duration.
      assert.ok(Date.parse(reboot.lastReboot) - Date.parse(reboot.startedRebootTime) >= 800, JSON.stringify(reboot));
      // Hub clock: the reported $metadata stamps follow the same order.
      const meta = at(twin.properties.reported, '$metadata', 'iothubDM', 'reboot');
      const startedStamp = String(at(meta, 'startedRebootTime', '$lastUpdated'));
      const lastStamp = String(at(meta, 'lastReboot', '$lastUpdated'));
      assert.ok(Date.parse(startedStamp) < Date.parse(lastStamp), `${startedStamp} < ${lastStamp}`);
      assert.equal(at(meta, 'status', '$lastUpdated'), lastStamp);
      await device.whenIdle();
      assert.deepEqual(device.reports.map((r) => at(r.patch, 'iothubDM', 'reboot', 'status')), ['rebooting', 'completed']);
    });

    test('reject: the method gets the chosen status and payload; the device stays up and reports nothing', async () => {
      const device = await deviceWith({ kind: 'reject', status: 403, payload: { reason: 'maintenance window closed' } });
      const answer = await hub.service.invoke(device.deviceId, 'reboot');
      assert.deepEqual(answer, { status: 403, payload: { reason: 'maintenance window closed' } });
      await device.whenIdle();
      assert.equal(await hub.service.connectionState(device.deviceId), 'Connected');
      assert.equal(at(await hub.service.reported(device.deviceId), 'iothubDM'), undefined);
      assert.equal(device.reports.length, 0);
    });

    test('neverReturn: answers 200, reports rebooting, disconnects and stays disconnected (404103 afterwards)', async () => {
      const device = await deviceWith({ kind: 'neverReturn' });
      assert.equal((await hub.service.invoke(device.deviceId, 'reboot')).status, 200);
      await watchReboot(device.deviceId, (o) => o.status === 'rebooting' && o.connectionState === 'Disconnected');
      await device.whenIdle(); // past the reboot duration: a normal device would be back by now
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await hub.service.connectionState(device.deviceId), 'Disconnected');
      assert.equal(at(await hub.service.reported(device.deviceId), 'iothubDM', 'reboot', 'status'), 'rebooting');
      assert.equal(device.powerState, 'dead');
      await assertDeviceNotOnline(device.deviceId);
    });

    test('reportFailed: reboots, comes back and reports failed with the reason', async () => {
      const device = await deviceWith({ kind: 'reportFailed', reason: 'watchdog reset loop' });
      assert.equal((await hub.service.invoke(device.deviceId, 'reboot')).status, 200);
      const seen = await watchReboot(device.deviceId, (o) => o.status === 'failed');
      assert.ok(seen.some((o) => o.connectionState === 'Disconnected'), JSON.stringify(seen));
      const reboot = at(await hub.service.reported(device.deviceId), 'iothubDM', 'reboot') as Record<string, unknown>;
      assert.equal(reboot.reason, 'watchdog reset loop');
      assert.equal(typeof reboot.failedTime, 'string');
      assert.equal(await hub.service.connectionState(device.deviceId), 'Connected');
    });

    // The hub accepts responseTimeoutInSeconds from 5 s (iot-hub-devguide-direct-methods), so the two
    // timeouts share one wait.
    test('slow answer beyond responseTimeoutInSeconds, and a method the device does not register: both 504101', async () => {
      const slow = await deviceWith({ kind: 'slow', answerDelayMs: 6000 });
      const normal = await deviceWith();
      const expectGatewayTimeout = (e: unknown): boolean => {
        assert.equal(httpStatus(e), 504);
        assert.equal(hubErrorCode(e), 504101);
        return true;
      };
      await Promise.all([
        assert.rejects(hub.service.invoke(slow.deviceId, 'reboot', null, 5), expectGatewayTimeout),
        assert.rejects(hub.service.invoke(normal.deviceId, 'selfDestruct', null, 5), expectGatewayTimeout),
      ]);
      // The late answer is dropped by the hub, but the device goes on with its reboot.
      await watchReboot(slow.deviceId, (o) => o.status === 'completed' && o.connectionState === 'Connected');
      assert.equal(normal.reports.length, 0);
    });

    test('offline: a device that never connects is 404103; going offline at run time too, and it comes back', async () => {
      const never = await deviceWith({ kind: 'offline' });
      assert.equal(never.connected, false);
      assert.equal(await hub.service.connectionState(never.deviceId), 'Disconnected');
      await assertDeviceNotOnline(never.deviceId);

      const device = await deviceWith();
      assert.equal(await hub.service.connectionState(device.deviceId), 'Connected');
      await device.setBehaviour({ kind: 'offline' });
      assert.equal(await hub.service.connectionState(device.deviceId), 'Disconnected');
      await assertDeviceNotOnline(device.deviceId);
      await device.setBehaviour({ kind: 'normal' });
      assert.equal(await hub.service.connectionState(device.deviceId), 'Connected');
      assert.equal((await hub.service.invoke(device.deviceId, 'reboot')).status, 200);
    });

    test('factoryReset: resetting, Disconnected, then completed', async () => {
      const device = await deviceWith();
      assert.deepEqual(await hub.service.invoke(device.deviceId, 'factoryReset'), { status: 200, payload: 'Factory reset started' });
      const seen: unknown[] = [];
      await pollUntil(async () => {
        const [reported, state] = await Promise.all([hub.service.reported(device.deviceId), hub.service.connectionState(device.deviceId)]);
        seen.push(`${String(at(reported, 'iothubDM', 'factoryReset', 'status'))}/${state}`);
        return reported;
      }, (r) => at(r, 'iothubDM', 'factoryReset', 'status') === 'completed', 'factory reset', 10_000, 20);
      assert.ok(seen.includes('resetting/Disconnected'), JSON.stringify(seen));
      const reset = at(await hub.service.reported(device.deviceId), 'iothubDM', 'factoryReset') as { lastFactoryReset: string; startedFactoryResetTime: string };
      assert.ok(Date.parse(reset.lastFactoryReset) >= Date.parse(reset.startedFactoryResetTime) + 300);
    });

    test('firmwareUpdate: the sample statuses in order, seen in the reported patches and in the hub $metadata', async () => {
      const device = await deviceWith();
      const answer = await hub.service.invoke(device.deviceId, 'firmwareUpdate', { fwPackageUri: 'https://secureurl' });
      assert.deepEqual(answer, { status: 200, payload: 'Firmware update started.' });
      const reported = await pollUntil(() => hub.service.reported(device.deviceId),
        (r) => at(r, 'iothubDM', 'firmwareUpdate', 'status') === 'apply firmware image complete', 'firmware update');
      // The hub applies a patch before the device has its acknowledgement: wait for the device's operation to end.
      await device.whenIdle();
      assert.deepEqual(device.reports.map((r) => at(r.patch, 'iothubDM', 'firmwareUpdate', 'status')),
        ['downloading', 'download complete', 'applying', 'apply firmware image complete']);
      const fields = ['startedDownloadingTime', 'downloadCompleteTime', 'startedApplyingImage', 'lastFirmwareUpdate'];
      const firmware = at(reported, 'iothubDM', 'firmwareUpdate') as Record<string, unknown>;
      assert.deepEqual(Object.keys(firmware).sort(), [...fields, 'status'].sort());
      const stamps = fields.map((f) => Date.parse(String(at(reported, '$metadata', 'iothubDM', 'firmwareUpdate', f, '$lastUpdated'))));
      assert.ok(stamps.every((s, i) => Number.isFinite(s) && (i === 0 || s >= elementAt(stamps, i - 1))), `hub stamps in order: ${stamps.join(', ')}`);
      assert.equal(await hub.service.connectionState(device.deviceId), 'Connected');
    });

    test('firmwareUpdate: a package URI that is not https gets the sample 400 answer', async () => {
      const device = await deviceWith();
      const answer = await hub.service.invoke(device.deviceId, 'firmwareUpdate', { fwPackageUri: 'http://insecure' });
      assert.deepEqual(answer, { status: 400, payload: 'Invalid URL format.  Must use https:// protocol.' });
      assert.equal(at(await hub.service.reported(device.deviceId), 'iothubDM'), undefined);
    });

    test('firmwareUpdate (reportFailed): Download image failed / Apply image failed', async () => {
      const download = await deviceWith({ kind: 'reportFailed', firmwarePhase: 'download' });
      const apply = await deviceWith({ kind: 'reportFailed', firmwarePhase: 'apply', reason: 'checksum mismatch' });
      for (const device of [download, apply]) {
        assert.equal((await hub.service.invoke(device.deviceId, 'firmwareUpdate', { fwPackageUri: 'https://secureurl' })).status, 200);
      }
      await pollUntil(() => hub.service.reported(download.deviceId), (r) => at(r, 'iothubDM', 'firmwareUpdate', 'status') === 'Download image failed', 'download failure');
      const applied = await pollUntil(() => hub.service.reported(apply.deviceId), (r) => at(r, 'iothubDM', 'firmwareUpdate', 'status') === 'Apply image failed', 'apply failure');
      assert.equal(at(applied, 'iothubDM', 'firmwareUpdate', 'reason'), 'checksum mismatch');
      await download.whenIdle();
      assert.deepEqual(download.reports.map((r) => at(r.patch, 'iothubDM', 'firmwareUpdate', 'status')), ['downloading', 'Download image failed']);
    });

    test('a second reboot after a failed one clears the failure fields and completes', async () => {
      const device = await deviceWith({ kind: 'reportFailed' });
      await hub.service.invoke(device.deviceId, 'reboot');
      await pollUntil(() => hub.service.reported(device.deviceId), (r) => at(r, 'iothubDM', 'reboot', 'status') === 'failed', 'failure');
      await device.whenIdle();
      await device.setBehaviour({ kind: 'normal' });
      await hub.service.invoke(device.deviceId, 'reboot');
      const reported = await pollUntil(() => hub.service.reported(device.deviceId), (r) => at(r, 'iothubDM', 'reboot', 'status') === 'completed', 'completion');
      const reboot = at(reported, 'iothubDM', 'reboot') as Record<string, unknown>;
      assert.equal(reboot.reason, undefined);
      assert.equal(reboot.failedTime, undefined);
    });
  });
}
