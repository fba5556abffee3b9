// The example queries of MicrosoftDocs/azure-docs articles/iot-hub/query-twins.md, verbatim (including their line
// breaks and the doc's casing), run over twins built to match the article's sample twin and sample results.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compileQuery, QueryError, type TwinDocument } from '../../../../local/iothub/query';
import { twin } from './fleet';

/** The article's sample device twin, with its elided `$metadata` filled in. */
const sampleTwin: TwinDocument = {
  deviceId: 'myDeviceId',
  etag: 'AAAAAAAAAAc=',
  status: 'enabled',
  statusUpdateTime: '0001-01-01T00:00:00',
  connectionState: 'Disconnected',
  lastActivityTime: '0001-01-01T00:00:00',
  cloudToDeviceMessageCount: 0,
  authenticationType: 'sas',
  x509Thumbprint: { primaryThumbprint: null, secondaryThumbprint: null },
  version: 2,
  tags: { location: { region: 'US', plant: 'Redmond43' } },
  properties: {
    desired: {
      telemetryConfig: { configId: 'db00ebf5-eeeb-42be-86a1-458cccb69e57', sendFrequencyInSecs: 300 },
      $metadata: { $lastUpdated: '2016-09-30T00:00:00Z', $lastUpdatedVersion: 4 },
      $version: 4,
    },
    reported: {
      connectivity: { type: 'cellular' },
      telemetryConfig: { configId: 'db00ebf5-eeeb-42be-86a1-458cccb69e57', sendFrequencyInSecs: 300, status: 'Success' },
      $metadata: { $lastUpdated: '2016-09-30T00:00:00Z' },
      $version: 7,
    },
  },
};

const sampleFleet = (): TwinDocument[] => [
  sampleTwin,
  twin({
    deviceId: 'plantDevice', tags: { location: { region: 'US', plant: 'Redmond43' } },
    reported: { connectivity: 'wifi', telemetryConfig: { sendFrequencyInSecs: 30, status: 'Pending' } },
  }),
  twin({
    deviceId: 'zEuDevice', tags: { location: { region: 'EU' } },
    reported: { connectivity: 'wired', telemetryConfig: { sendFrequencyInSecs: 600, status: 'Success' } },
  }),
];

const ids = (rows: unknown[]) => rows.map((row) => (row as { deviceId: string }).deviceId);

describe('documentation examples (query-twins.md)', () => {
  test('SELECT * FROM devices', () => {
    const query = compileQuery('SELECT * FROM devices');
    assert.equal(query.itemType, 'twin');
    assert.deepEqual(query.run(sampleFleet()), sampleFleet());
  });

  test('SELECT COUNT() as totalNumberOfDevices FROM devices', () => {
    const query = compileQuery('SELECT COUNT() as totalNumberOfDevices FROM devices');
    assert.equal(query.itemType, 'raw');
    assert.deepEqual(query.run(sampleFleet()), [{ totalNumberOfDevices: 3 }]);
  });

  test("WHERE tags.location.region = 'US'", () => {
    const rows = compileQuery("SELECT * FROM devices\nWHERE tags.location.region = 'US'").run(sampleFleet());
    assert.deepEqual(ids(rows), ['myDeviceId', 'plantDevice']);
  });

  test('WHERE region = US AND sendFrequencyInSecs >= 60', () => {
    const sql = "SELECT * FROM devices\n  WHERE tags.location.region = 'US'\n    AND properties.reported.telemetryConfig.sendFrequencyInSecs >= 60";
    assert.deepEqual(ids(compileQuery(sql).run(sampleFleet())), ['myDeviceId']);
  });

  test("WHERE properties.reported.connectivity IN ['wired', 'wifi']", () => {
    const sql = "SELECT * FROM devices\n  WHERE properties.reported.connectivity IN ['wired', 'wifi']";
    // The sample twin reports connectivity as an object, which equals no string constant.
    assert.deepEqual(ids(compileQuery(sql).run(sampleFleet())), ['plantDevice', 'zEuDevice']);
  });

  test('WHERE is_defined(properties.reported.connectivity)', () => {
    const sql = 'SELECT * FROM devices\n  WHERE is_defined(properties.reported.connectivity)';
    const fleet = [...sampleFleet(), twin({ deviceId: 'silent' })];
    assert.deepEqual(ids(compileQuery(sql).run(fleet)), ['myDeviceId', 'plantDevice', 'zEuDevice']);
  });

  test('GROUP BY telemetry status returns the documented rows', () => {
    const sql = `SELECT properties.reported.telemetryConfig.status AS status,
    COUNT() AS numberOfDevices
  FROM devices
  GROUP BY properties.reported.telemetryConfig.status`;
    const statuses = ['Success', 'Pending', 'Success', 'Error', 'Pending', 'Success'];
    const fleet = statuses.map((status, i) => twin({ deviceId: `device${i}`, reported: { telemetryConfig: { status } } }));
    const documented = JSON.parse(`[
    {
        "numberOfDevices": 3,
        "status": "Success"
    },
    {
        "numberOfDevices": 2,
        "status": "Pending"
    },
    {
        "numberOfDevices": 1,
        "status": "Error"
    }
]`);
    const query = compileQuery(sql);
    assert.equal(query.itemType, 'raw');
    assert.deepEqual(query.run(fleet), documented);
  });

  test('projection of DeviceId, LastActivityTime returns canonical-case keys', () => {
    const sql = "SELECT DeviceId, LastActivityTime FROM devices WHERE status = 'enabled' AND connectionState = 'Disconnected'";
    const fleet = [
      twin({ deviceId: 'AZ3166Device', lastActivityTime: '2021-05-07T00:50:38.0543092Z' }),
      twin({ deviceId: 'connectedDevice', connectionState: 'Connected', lastActivityTime: '2021-05-08T00:00:00Z' }),
      twin({ deviceId: 'disabledDevice', status: 'disabled', lastActivityTime: '2021-05-09T00:00:00Z' }),
    ];
    const documented = JSON.parse(`[
  {
    "deviceId": "AZ3166Device",
    "lastActivityTime": "2021-05-07T00:50:38.0543092Z"
  }
]`);
    assert.deepEqual(compileQuery(sql).run(fleet), documented);
  });

  test('module twin queries (devices.modules) are refused as an unsupported source', () => {
    for (const sql of [
      'SELECT * FROM devices.modules',
      "SELECT * FROM devices.modules WHERE properties.reported.status = 'scanning'",
      "SELECT * FROM devices.modules\n  WHERE properties.reported.status = 'scanning'\n  AND deviceId IN ['device1', 'device2']",
    ]) {
      assert.throws(() => compileQuery(sql), (e: unknown) => e instanceof QueryError && e.message.includes("Unsupported query source 'devices.modules'"));
    }
  });
});

describe('documentation examples (iot-hub-devguide-query-language.md)', () => {
  test("the double-bracket escape for a property named 'group'", () => {
    const fleet = [twin({ deviceId: 'a', tags: { group: { name: 'some_value' } } }), twin({ deviceId: 'b', tags: { group: { name: 'other' } } })];
    assert.deepEqual(ids(compileQuery("SELECT * FROM devices WHERE tags.[[group]].name = 'some_value'").run(fleet)), ['a']);
  });

  test('SELECT DeviceID, LastActivityTime and SELECT COUNT() as TotalNumber', () => {
    const fleet = [twin({ deviceId: 'a', lastActivityTime: '2024-01-01T00:00:00Z' })];
    assert.deepEqual(compileQuery('SELECT DeviceID, LastActivityTime FROM devices').run(fleet), [{ deviceId: 'a', lastActivityTime: '2024-01-01T00:00:00Z' }]);
    assert.deepEqual(compileQuery('SELECT COUNT() as TotalNumber FROM devices').run(fleet), [{ TotalNumber: 1 }]);
  });
});
