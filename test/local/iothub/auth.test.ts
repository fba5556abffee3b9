// SAS authentication and authorisation on both fronts: service policies and their permissions over HTTPS, device
// keys and the device policy over MQTT; bad signatures, expiry and scope are refused (401 + 401002 / CONNACK 4-5).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIotHubEmulator, type RunningIotHubEmulator } from '../../../local/iothub/index';
import {
  deviceClient,
  deviceKey,
  openDeviceClient,
  policyKey,
  rawMqttConnect,
  restCall,
  sasToken,
  serviceClients,
  serviceErrors,
} from '../../support/iothub';

interface ErrorWithResponse extends Error {
  responseBody?: string;
  response?: { statusCode: number; headers: Record<string, string> };
}

function isUnauthorized(error: ErrorWithResponse): boolean {
  assert.ok(error instanceof serviceErrors.UnauthorizedError, `expected UnauthorizedError, got ${error.name}: ${error.message}`);
  assert.equal(error.response?.statusCode, 401);
  assert.equal(error.response?.headers['iothub-errorcode'], 'IotHubUnauthorizedAccess');
  assert.match(String(error.responseBody), /"Message":"ErrorCode:IotHubUnauthorizedAccess;/);
  return true;
}

describe('SAS over HTTPS', () => {
  let emulator: RunningIotHubEmulator;

  before(async () => {
    emulator = await startIotHubEmulator({ policyKeys: { registryRead: Buffer.alloc(32, 7).toString('base64') } });
    await emulator.admin.createDevices(['auth-dev']);
  });
  after(() => emulator.stop());

  it('uses the policy keys it was given', () => {
    assert.equal(policyKey(emulator, 'registryRead'), Buffer.alloc(32, 7).toString('base64'));
    assert.match(emulator.serviceConnectionString, new RegExp(`^HostName=localhost:${emulator.httpsPort};SharedAccessKeyName=iothubowner;SharedAccessKey=`));
  });

  it('refuses a token signed with the wrong key, an expired token, a missing token and a device token', async () => {
    const wrongKey = sasToken(emulator.hostName, Buffer.alloc(32, 1).toString('base64'), 60, { keyName: 'iothubowner', encode: false });
    const expired = sasToken(emulator.hostName, policyKey(emulator, 'iothubowner'), -5, { keyName: 'iothubowner', encode: false });
    const deviceToken = sasToken(`${emulator.hostName}/devices/auth-dev`, deviceKey(emulator, 'auth-dev'), 60);
    const unknownPolicy = sasToken(emulator.hostName, policyKey(emulator, 'iothubowner'), 60, { keyName: 'nobody', encode: false });
    for (const [name, authorization] of [['wrong key', wrongKey], ['expired', expired], ['device token', deviceToken], ['unknown policy', unknownPolicy], ['garbage', 'Bearer x']]) {
      const response = await restCall(emulator, 'GET', '/devices/auth-dev', { authorization });
      assert.equal(response.status, 401, name);
      assert.equal(response.headers['iothub-errorcode'], 'IotHubUnauthorizedAccess', name);
      assert.doesNotMatch(JSON.stringify(response.body), /sig=/, 'the token is never echoed');
    }
    assert.equal((await restCall(emulator, 'GET', '/devices/auth-dev', { policy: null })).status, 401);
    assert.ok(emulator.admin.counters().authFailures >= 6);
  });

  it('scopes tokens by path segment and accepts sr with the port', async () => {
    const owner = policyKey(emulator, 'iothubowner');
    const host = emulator.hostName;
    const call = (resource: string, path: string) =>
      restCall(emulator, 'GET', path, { authorization: sasToken(resource, owner, 60, { keyName: 'iothubowner', encode: false }) });
    assert.equal((await call(`${host}/devices/auth-dev`, '/devices/auth-dev')).status, 200);
    assert.equal((await call(`${host}/devices`, '/devices/auth-dev')).status, 200);
    assert.equal((await call(`${host}/devices/auth`, '/devices/auth-dev')).status, 401, 'not a whole segment');
    assert.equal((await call(`${host}/twins/auth-dev`, '/devices/auth-dev')).status, 401);
    assert.equal((await call('otherhub.example', '/devices/auth-dev')).status, 401);
    assert.equal((await call(`${host}:${emulator.httpsPort}`, '/devices/auth-dev')).status, 200);
    const encoded = restCall(emulator, 'GET', '/devices/auth-dev', { authorization: sasToken(`${host}/devices/auth-dev`, owner, 60, { keyName: 'iothubowner' }) });
    assert.equal((await encoded).status, 200, 'a URL-encoded sr is verified as sent');
  });

  it('grants each policy exactly its permissions through the SDK', async () => {
    const read = serviceClients(emulator, 'registryRead');
    const readWrite = serviceClients(emulator, 'registryReadWrite');
    const serviceOnly = serviceClients(emulator, 'service');
    try {
      assert.equal((await read.registry.get('auth-dev')).responseBody.deviceId, 'auth-dev');
      await assert.rejects(read.registry.create({ deviceId: 'by-reader' }), isUnauthorized);
      await assert.rejects(read.registry.getTwin('auth-dev'), isUnauthorized);
      await assert.rejects(read.client.invokeDeviceMethod('auth-dev', { methodName: 'm' }), isUnauthorized);

      assert.equal((await readWrite.registry.create({ deviceId: 'by-writer' })).responseBody.deviceId, 'by-writer');
      await readWrite.registry.delete('by-writer');
      await assert.rejects(readWrite.registry.updateTwin('auth-dev', { tags: { a: 1 } }, '*'), isUnauthorized);

      assert.equal((await serviceOnly.registry.getTwin('auth-dev')).responseBody.deviceId, 'auth-dev');
      await serviceOnly.registry.updateTwin('auth-dev', { tags: { a: 1 } }, '*');
      await assert.rejects(serviceOnly.registry.get('auth-dev'), isUnauthorized);
      await assert.rejects(serviceOnly.registry.create({ deviceId: 'by-service' }), isUnauthorized);
      const statistics = await restCall(emulator, 'GET', '/statistics/devices', { policy: 'service' });
      assert.equal(statistics.status, 401);
    } finally {
      read.close();
      readWrite.close();
      serviceOnly.close();
    }
  });
});

describe('SAS over MQTT', () => {
  let emulator: RunningIotHubEmulator;

  before(async () => {
    emulator = await startIotHubEmulator();
    await emulator.admin.createDevices(['mq-1', 'mq-2', 'mq-off']);
    const service = serviceClients(emulator);
    await service.registry.update({ deviceId: 'mq-off', status: 'disabled' });
    service.close();
  });
  after(() => emulator.stop());

  it('refuses the SDK device with a wrong key (CONNACK not authorized → UnauthorizedError)', async () => {
    const device = await deviceClient(emulator, 'mq-1', { key: Buffer.alloc(32, 9).toString('base64') });
    await assert.rejects(device.open(), (error: Error) => error.name === 'UnauthorizedError');
    await device.close();
    assert.ok(emulator.admin.counters().mqttRejectedConnections >= 1);
  });

  it('accepts the secondary key', async () => {
    const service = serviceClients(emulator);
    const secondary = String((await service.registry.get('mq-1')).responseBody.authentication?.symmetricKey?.secondaryKey);
    service.close();
    const device = await openDeviceClient(emulator, 'mq-1', { key: secondary });
    await device.close();
  });

  it('refuses expired tokens, tokens for another device, disabled or unknown devices and malformed usernames', async () => {
    const host = emulator.hostName;
    const key = deviceKey(emulator, 'mq-1');
    const refusals: [string, Parameters<typeof rawMqttConnect>[1], number][] = [
      ['expired', { clientId: 'mq-1', password: sasToken(`${host}/devices/mq-1`, key, -5) }, 5],
      ['other device', { clientId: 'mq-1', password: sasToken(`${host}/devices/mq-2`, deviceKey(emulator, 'mq-2'), 60) }, 5],
      ['key of another device', { clientId: 'mq-2', password: sasToken(`${host}/devices/mq-2`, key, 60) }, 5],
      ['no password', { clientId: 'mq-1' }, 5],
      ['disabled', { clientId: 'mq-off', password: sasToken(`${host}/devices/mq-off`, deviceKey(emulator, 'mq-off'), 60) }, 5],
      ['unknown device', { clientId: 'ghost', password: sasToken(`${host}/devices/ghost`, key, 60) }, 5],
      ['username of another device', { clientId: 'mq-1', username: `${host}/mq-2/?api-version=2021-04-12`, password: sasToken(`${host}/devices/mq-1`, key, 60) }, 4],
      ['service policy', { clientId: 'mq-1', password: sasToken(`${host}/devices/mq-1`, policyKey(emulator, 'service'), 60, { keyName: 'service' }) }, 5],
    ];
    for (const [name, options, code] of refusals) {
      await assert.rejects(rawMqttConnect(emulator, options), (error: Error & { code?: number }) => {
        assert.equal(error.code, code, name);
        return true;
      }, name);
    }
  });

  it('accepts a token signed with a DeviceConnect policy (skn) and a scope above the device', async () => {
    const host = emulator.hostName;
    const viaPolicy = await rawMqttConnect(emulator, {
      clientId: 'mq-2',
      password: sasToken(`${host}/devices/mq-2`, policyKey(emulator, 'iothubowner'), 60, { keyName: 'iothubowner' }),
    });
    await viaPolicy.endAsync();
    const wideScope = await rawMqttConnect(emulator, { clientId: 'mq-2', password: sasToken(`${host}/devices`, deviceKey(emulator, 'mq-2'), 60) });
    await wideScope.endAsync();
  });

  it('ends the session when the token expires', async () => {
    const client = await rawMqttConnect(emulator, { clientId: 'mq-2', password: sasToken(`${emulator.hostName}/devices/mq-2`, deviceKey(emulator, 'mq-2'), 2) });
    const started = Date.now();
    await new Promise<void>((resolve) => client.once('close', () => resolve()));
    const elapsed = Date.now() - started;
    client.end(true);
    assert.ok(elapsed > 500 && elapsed < 4000, `closed after ${elapsed} ms`);
  });
});
