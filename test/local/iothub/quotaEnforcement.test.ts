// IoT Hub's S1 throttles enforced end to end (iot-hub-devguide-quotas-throttling.md): queries 20/min, twin reads
// 100/s, twin updates 50/s, direct methods 160 KB/s in 4 KB units, identity operations 100/min — each with a burst
// of one period's budget, then 429 / 429001 ThrottlingException. The buckets run on a manual clock, so nothing
// refills while a request is in flight, however slow the machine.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IotHubError, startIotHubEmulator, type RunningIotHubEmulator, type VirtualDeviceConnection } from '../../../local/iothub/index';
import { type ServiceClients, restCall, serviceClients, serviceErrors } from '../../support/iothub';

function isThrottled(error: unknown): boolean {
  return error instanceof IotHubError && error.code === 429001 && error.status === 429;
}

describe('S1 quotas', () => {
  let emulator: RunningIotHubEmulator;
  let service: ServiceClients;
  let device: VirtualDeviceConnection;
  let now = 0;

  before(async () => {
    emulator = await startIotHubEmulator({ quota: { tier: 'S1', units: 1, clock: () => now } });
    service = serviceClients(emulator);
    await emulator.admin.createDevices(['quota-1']);
    device = emulator.admin.connectVirtualDevice('quota-1', { onMethod: async () => ({ status: 200, payload: null }) });
  });
  after(async () => {
    service.close();
    await emulator.stop();
  });

  it('answers the 21st query within a minute with 429001 (ThrottlingError)', async () => {
    for (let i = 0; i < 20; i++) await service.registry.createQuery('SELECT * FROM devices').next();
    await assert.rejects(service.registry.createQuery('SELECT * FROM devices').next(), (error: Error & { responseBody?: string; response?: { statusCode: number; headers: Record<string, string> } }) => {
      assert.ok(error instanceof serviceErrors.ThrottlingError);
      assert.equal(error.response?.statusCode, 429);
      assert.equal(error.response?.headers['iothub-errorcode'], 'ThrottlingException');
      assert.match(String(error.responseBody), /ErrorCode:ThrottlingException;/);
      return true;
    });
  });

  it('allows a burst of 100 twin reads, then throttles reads from devices and from the service alike', async () => {
    for (let i = 0; i < 100; i++) device.getTwin();
    assert.throws(() => device.getTwin(), isThrottled);
    // Devices and the service share the bucket.
    const refused = await restCall(emulator, 'GET', '/twins/quota-1');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['iothub-errorcode'], 'ThrottlingException');
    now += 10; // 10 ms refill one read at 100/s
    device.getTwin();
    assert.throws(() => device.getTwin(), isThrottled);
  });

  it('allows a burst of 50 twin updates, then throttles; a second later there is budget again', async () => {
    for (let i = 0; i < 50; i++) device.updateReported({ n: i });
    assert.throws(() => device.updateReported({ n: 50 }), isThrottled);
    assert.equal((await restCall(emulator, 'PATCH', '/twins/quota-1', { body: { tags: { a: 1 } } })).status, 429, 'the service shares the bucket');
    now += 1000;
    const { version } = device.updateReported({ n: 51 });
    assert.equal(device.getTwin().reported.$version, version);
    assert.equal(device.getTwin().reported.n, 51);
  });

  it('meters direct methods in 4 KB units: 160 KB per second', async () => {
    const payload = 'x'.repeat(120 * 1024); // 120 KB (31 units as JSON) of the 40 per second; the rest refills at 40/s
    const first = await restCall(emulator, 'POST', '/twins/quota-1/methods', { body: { methodName: 'big', payload } });
    assert.equal(first.status, 200);
    const second = await restCall(emulator, 'POST', '/twins/quota-1/methods', { body: { methodName: 'big', payload } });
    assert.equal(second.status, 429);
    assert.equal(second.headers['iothub-errorcode'], 'ThrottlingException');
    now += 600; // the JSON string is 2 bytes over 120 KB: 31 units, 10 left + 24 refilled
    assert.equal((await restCall(emulator, 'POST', '/twins/quota-1/methods', { body: { methodName: 'big', payload } })).status, 200);
  });

  it('allows 100 identity operations per minute', async () => {
    const started = now;
    let accepted = 0;
    let firstRefusal: number | undefined;
    while (firstRefusal === undefined && accepted < 150) {
      const { status } = await restCall(emulator, 'GET', '/devices/quota-1');
      if (status === 200) accepted += 1;
      else firstRefusal = status;
    }
    // 100 at once, plus what refilled (100/min) while the calls ran.
    const refilled = Math.floor(((now - started) / 60_000) * 100);
    assert.equal(firstRefusal, 429);
    assert.ok(accepted >= 100 && accepted <= 100 + refilled + 1, `${accepted} accepted, ${refilled} refilled`);
  });

  it('starts with full buckets after reset', async () => {
    emulator.admin.reset();
    await emulator.admin.createDevices(['quota-2']);
    assert.equal((await restCall(emulator, 'GET', '/devices/quota-2')).status, 200);
    assert.equal(emulator.admin.counters().throttled, 0);
  });
});
