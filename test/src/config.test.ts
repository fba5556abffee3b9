import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, HOST_SETTING, loadConfig, SETTING } from '../../src/config';
import { ROUTE_PREFIX } from '../../src/http/routes';

/** The repository root, whether this runs from test/ (tsx) or dist/test/ (compiled). */
function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

const KEY = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
const CS = `HostName=myhub.azure-devices.net;SharedAccessKeyName=service;SharedAccessKey=${KEY}`;
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function fails(env: Record<string, string>, setting: string): void {
  assert.throws(() => loadConfig(env), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.setting, setting);
    assert.match(err.message, new RegExp(`^Invalid app setting ${setting}: `));
    assert.ok(!err.message.includes('\n'), 'one line');
    assert.ok(!err.message.includes(KEY), 'never the secret');
    return true;
  });
}

test('a service connection string with defaults for everything else', () => {
  const config = loadConfig({ IOTHUB_CONNECTION_STRING: CS });
  assert.deepEqual(config.iotHub, { kind: 'connectionString', connectionString: CS, hostName: 'myhub.azure-devices.net', port: null, policyName: 'service', key: KEY });
  assert.deepEqual(config.operations, { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
  assert.equal(config.operationsTableName, 'DeviceOperations');
  assert.equal(config.leaseTableName, 'DeviceOperationsLeases');
  assert.deepEqual(config.methodNames, { reboot: 'reboot', factoryReset: 'factoryReset', firmwareUpdate: 'firmwareUpdate' });
  assert.equal(config.startGraceMs, 60_000);
  assert.equal(config.statusHoldMs, 10_000);
  assert.deepEqual(config.retry.read, { maxAttempts: 3, firstRetryIntervalMs: 1000, maxRetryIntervalMs: 10_000, backoffCoefficient: 2 });
  assert.equal(config.iotHubCaPem, null);
  assert.deepEqual(config.retry.invoke, { maxAttempts: 5, firstRetryIntervalMs: 2000, maxRetryIntervalMs: 60_000, backoffCoefficient: 2 });
  assert.ok(Object.isFrozen(config));
});

test('method names per kind, retry settings, start grace and the lease table name from the settings', () => {
  const config = loadConfig({
    IOTHUB_CONNECTION_STRING: CS, REBOOT_METHOD_NAME: 'restart', FACTORY_RESET_METHOD_NAME: 'wipe_all', FIRMWARE_UPDATE_METHOD_NAME: 'fw.update-2',
    METHOD_INVOKE_MAX_ATTEMPTS: '7', METHOD_INVOKE_FIRST_RETRY_MS: '500', METHOD_INVOKE_MAX_RETRY_MS: '9000', TWIN_READ_MAX_ATTEMPTS: '4',
    OPERATION_START_GRACE_SECONDS: '90', OPERATIONS_TABLE_NAME: 'Ops2', OPERATION_STATUS_HOLD_SECONDS: '0',
  });
  assert.equal(config.statusHoldMs, 0);
  assert.deepEqual(config.methodNames, { reboot: 'restart', factoryReset: 'wipe_all', firmwareUpdate: 'fw.update-2' });
  assert.ok(Object.isFrozen(config.methodNames));
  assert.deepEqual(config.retry.invoke, { maxAttempts: 7, firstRetryIntervalMs: 500, maxRetryIntervalMs: 9000, backoffCoefficient: 2 });
  assert.equal(config.retry.read.maxAttempts, 4);
  assert.equal(config.startGraceMs, 90_000);
  assert.deepEqual([config.operationsTableName, config.leaseTableName], ['Ops2', 'Ops2Leases']);
  // The longest operations table name still leaves a valid lease table name (63 characters at most).
  const longest = loadConfig({ IOTHUB_CONNECTION_STRING: CS, OPERATIONS_TABLE_NAME: `T${'x'.repeat(56)}` });
  assert.equal(longest.leaseTableName.length, 63);
});

test('HostName=host:port (a local emulator) and a CA from a file or inline PEM', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
  try {
    const file = path.join(dir, 'ca.pem');
    fs.writeFileSync(file, PEM);
    const local = loadConfig({ IOTHUB_CONNECTION_STRING: `HostName=localhost:8443;SharedAccessKeyName=iothubowner;SharedAccessKey=${KEY}`, IOTHUB_CA_CERT_PATH: file });
    assert.equal(local.iotHub.hostName, 'localhost');
    assert.equal(local.iotHub.port, 8443);
    assert.equal(local.iotHubCaPem, PEM);
    const inline = loadConfig({ IOTHUB_CONNECTION_STRING: CS, IOTHUB_CA_CERT: PEM.replace(/\n/g, '\\n') });
    assert.equal(inline.iotHubCaPem, PEM, 'escaped newlines in app settings are restored');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('managed identity: host name and table endpoint', () => {
  const config = loadConfig({ IOTHUB_HOST_NAME: 'myhub.azure-devices.net', OPERATIONS_TABLE_ENDPOINT: 'https://acct.table.core.windows.net/' });
  assert.deepEqual(config.iotHub, { kind: 'managedIdentity', hostName: 'myhub.azure-devices.net', port: null });
  assert.deepEqual(config.operations, { kind: 'managedIdentity', endpoint: 'https://acct.table.core.windows.net' });
});

test('empty strings count as unset (local.settings.json lists every setting)', () => {
  const config = loadConfig({ IOTHUB_CONNECTION_STRING: CS, IOTHUB_HOST_NAME: '', IOTHUB_CA_CERT: ' ', OPERATIONS_TABLE_ENDPOINT: '' });
  assert.equal(config.iotHub.kind, 'connectionString');
});

test('every missing or malformed setting fails with one line naming it', () => {
  fails({}, SETTING.iotHubConnectionString);
  fails({ IOTHUB_CONNECTION_STRING: 'garbage' }, SETTING.iotHubConnectionString);
  fails({ IOTHUB_CONNECTION_STRING: `SharedAccessKeyName=s;SharedAccessKey=${KEY}` }, SETTING.iotHubConnectionString);
  fails({ IOTHUB_CONNECTION_STRING: `HostName=h;SharedAccessKey=${KEY}` }, SETTING.iotHubConnectionString);
  fails({ IOTHUB_CONNECTION_STRING: 'HostName=h;SharedAccessKeyName=s' }, SETTING.iotHubConnectionString);
  fails({ IOTHUB_CONNECTION_STRING: 'HostName=h;SharedAccessKeyName=s;SharedAccessKey=not*base64' }, SETTING.iotHubConnectionString);
  fails({ IOTHUB_CONNECTION_STRING: `HostName=h;DeviceId=d;SharedAccessKey=${KEY}` }, SETTING.iotHubConnectionString);
  fails({ IOTHUB_CONNECTION_STRING: `HostName=h:99999;SharedAccessKeyName=s;SharedAccessKey=${KEY}` }, SETTING.iotHubConnectionString);
  fails({ IOTHUB_CONNECTION_STRING: `HostName=bad host;SharedAccessKeyName=s;SharedAccessKey=${KEY}` }, SETTING.iotHubConnectionString);
  fails({ IOTHUB_CONNECTION_STRING: CS, IOTHUB_HOST_NAME: 'h' }, SETTING.iotHubHostName);
  fails({ IOTHUB_HOST_NAME: 'https://h' }, SETTING.iotHubHostName);
  fails({ IOTHUB_CONNECTION_STRING: CS, IOTHUB_CA_CERT: 'not a pem' }, SETTING.iotHubCaCert);
  fails({ IOTHUB_CONNECTION_STRING: CS, IOTHUB_CA_CERT_PATH: '/nonexistent/ca.pem' }, SETTING.iotHubCaCertPath);
  fails({ IOTHUB_CONNECTION_STRING: CS, IOTHUB_CA_CERT: PEM, IOTHUB_CA_CERT_PATH: '/x' }, SETTING.iotHubCaCertPath);
  fails({ IOTHUB_CONNECTION_STRING: CS, OPERATIONS_STORAGE: 'nonsense' }, SETTING.operationsStorage);
  fails({ IOTHUB_CONNECTION_STRING: CS, OPERATIONS_TABLE_ENDPOINT: 'not a url' }, SETTING.operationsTableEndpoint);
  fails({ IOTHUB_CONNECTION_STRING: CS, OPERATIONS_TABLE_ENDPOINT: 'ftp://x' }, SETTING.operationsTableEndpoint);
  fails({ IOTHUB_CONNECTION_STRING: CS, OPERATIONS_STORAGE: 'UseDevelopmentStorage=true', OPERATIONS_TABLE_ENDPOINT: 'https://x' }, SETTING.operationsTableEndpoint);
  fails({ IOTHUB_CONNECTION_STRING: CS, OPERATIONS_TABLE_NAME: 'bad-name' }, SETTING.operationsTableName);
  fails({ IOTHUB_CONNECTION_STRING: CS, OPERATIONS_TABLE_NAME: `T${'x'.repeat(57)}` }, SETTING.operationsTableName);
  fails({ IOTHUB_CONNECTION_STRING: CS, REBOOT_METHOD_NAME: 'has space' }, SETTING.rebootMethodName);
  fails({ IOTHUB_CONNECTION_STRING: CS, FACTORY_RESET_METHOD_NAME: 'a/b' }, SETTING.factoryResetMethodName);
  fails({ IOTHUB_CONNECTION_STRING: CS, FIRMWARE_UPDATE_METHOD_NAME: 'x'.repeat(101) }, SETTING.firmwareUpdateMethodName);
  fails({ IOTHUB_CONNECTION_STRING: CS, METHOD_INVOKE_MAX_ATTEMPTS: '0' }, SETTING.invokeMaxAttempts);
  fails({ IOTHUB_CONNECTION_STRING: CS, METHOD_INVOKE_MAX_ATTEMPTS: '21' }, SETTING.invokeMaxAttempts);
  fails({ IOTHUB_CONNECTION_STRING: CS, METHOD_INVOKE_FIRST_RETRY_MS: '1.5' }, SETTING.invokeFirstRetryMs);
  fails({ IOTHUB_CONNECTION_STRING: CS, METHOD_INVOKE_FIRST_RETRY_MS: '5000', METHOD_INVOKE_MAX_RETRY_MS: '1000' }, SETTING.invokeMaxRetryMs);
  fails({ IOTHUB_CONNECTION_STRING: CS, TWIN_READ_MAX_ATTEMPTS: 'three' }, SETTING.readMaxAttempts);
  fails({ IOTHUB_CONNECTION_STRING: CS, OPERATION_START_GRACE_SECONDS: '4' }, SETTING.startGraceSeconds);
  fails({ IOTHUB_CONNECTION_STRING: CS, OPERATION_START_GRACE_SECONDS: '3601' }, SETTING.startGraceSeconds);
  fails({ IOTHUB_CONNECTION_STRING: CS, OPERATION_STATUS_HOLD_SECONDS: '61' }, SETTING.statusHoldSeconds);
});

test('local.settings.sample.json lists every setting, and its values load', () => {
  const sample = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'local.settings.sample.json'), 'utf8')) as { Values: Record<string, string> };
  for (const name of [...Object.values(SETTING), ...Object.values(HOST_SETTING)]) {
    assert.ok(name in sample.Values, `${name} missing from local.settings.sample.json`);
  }
  for (const name of Object.keys(sample.Values)) {
    assert.ok([...Object.values(SETTING), ...Object.values(HOST_SETTING)].includes(name as never), `${name} is not a known setting`);
  }
  const config = loadConfig(sample.Values);
  assert.equal(config.iotHub.port, 8443);
});

test('host.json takes the task hub name from the setting and keeps the "api" route prefix', () => {
  const host = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'host.json'), 'utf8')) as {
    version: string; extensionBundle: { version: string }; extensions: { http: { routePrefix: string }; durableTask: { hubName: string } };
  };
  assert.equal(host.version, '2.0');
  assert.equal(host.extensions.durableTask.hubName, `%${HOST_SETTING.taskHubName}%`);
  assert.equal(host.extensions.http.routePrefix, 'api');
  assert.equal(ROUTE_PREFIX, host.extensions.http.routePrefix, 'status URLs are built with the same prefix');
  assert.match(host.extensionBundle.version, /^\[4\./);
});
