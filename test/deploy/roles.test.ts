// Role definition ids and IoT Hub data actions in infra/ against Microsoft's documented values.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { bicepFiles, readRepoFile } from './repoRoot';

// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles (storage, monitor, internet-of-things,
// integration pages); Durable Task Data Contributor: durable-task-scheduler identity docs.
const DOCUMENTED_ROLES: Record<string, string> = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  iotHubDataContributor: '4fc6c259-987e-4a07-842e-c321cc9d413f',
  durableTaskDataContributor: '0ad04412-c4d5-4796-b79c-f76d14c8d402',
};

// IoT Hub data actions the app needs, each with the SDK call in src/ that needs it
// (https://learn.microsoft.com/azure/iot-hub/authenticate-authorize-azure-ad#permissions-for-iot-hub-service-apis).
const APP_DATA_ACTIONS: Record<string, RegExp> = {
  'Microsoft.Devices/IotHubs/directMethods/invoke/action': /\.invokeDeviceMethod\(/,
  'Microsoft.Devices/IotHubs/twins/read': /\.getTwin\(|\.createQuery\(/,
  'Microsoft.Devices/IotHubs/devices/read': /registry\.get\(/,
};

const files = bicepFiles();
const all = [...files.values()].join('\n');

describe('role definitions', () => {
  const declared = [...all.matchAll(/var (\w+) = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'/g)];

  test('every role id declared in infra/ is a documented built-in role under its own name', () => {
    assert.ok(declared.length >= 6);
    for (const [, name, id] of declared) {
      assert.equal(id, DOCUMENTED_ROLES[name!], `${name} = ${id}`);
    }
  });

  test('no role GUID appears in infra/ outside those named declarations', () => {
    const guids = [...all.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)].map((m) => m[0]);
    for (const guid of guids) assert.ok(Object.values(DOCUMENTED_ROLES).includes(guid), guid);
  });

  for (const role of ['storageBlobDataOwner', 'storageQueueDataContributor', 'storageTableDataContributor', 'monitoringMetricsPublisher',
    'iotHubDataContributor', 'durableTaskDataContributor']) {
    test(`${role} is assigned`, () => {
      assert.ok(declared.some(([, name]) => name === role), `${role} is declared`);
      const uses = all.match(new RegExp(`\\b${role}\\b`, 'g'))?.length ?? 0;
      assert.ok(uses >= 2, `${role} is used beyond its declaration`);
    });
  }
});

describe('the custom IoT Hub role', () => {
  const access = files.get('infra/app/iothub-access.bicep');
  const block = /var appDataActions = \[([\s\S]*?)\]/.exec(access ?? '');
  const actions = block === null ? [] : [...block[1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
  const sources = ['src/adapters/iothub/azureIotHubGateway.ts'].map(readRepoFile).join('\n');

  test('grants exactly the documented data actions the app uses', () => {
    assert.deepEqual([...actions].sort(), Object.keys(APP_DATA_ACTIONS).sort());
    assert.match(access!, /dataActions: appDataActions/);
    assert.match(access!, /actions: \[\]/, 'no control-plane actions');
  });

  for (const [action, call] of Object.entries(APP_DATA_ACTIONS)) {
    test(`${action} is needed by the app`, () => assert.match(sources, call));
  }
});
