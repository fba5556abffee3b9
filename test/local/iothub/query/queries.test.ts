// A table of queries over the fixture fleet (fleet.ts), each with its exact expected result.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compileQuery } from '../../../../local/iothub/query';
import { fleet } from './fleet';
import { elementAt } from '../../../support/elementAt';

/** `ids`: a SELECT * query and the deviceIds of the twins it returns, in order. `rows`: exact raw rows. */
type Case = { sql: string; ids: string[] } | { sql: string; rows: unknown[] };

const ALL = ['dev-001', 'dev-002', 'dev-003', 'dev-004', 'dev-005', 'dev-006', 'dev-007', 'dev-008', 'edge-01', 'edge-02', 'sensor-A', 'sensor-B'];
const REBOOT = 'properties.reported.iothubDM.reboot.status';

const cases: Case[] = [
  // whole twins and simple filters
  { sql: 'SELECT * FROM devices', ids: ALL },
  { sql: "SELECT * FROM devices WHERE tags.location.region = 'US'", ids: ['dev-001', 'dev-002', 'dev-005', 'dev-008', 'sensor-B'] },
  { sql: 'select * from DEVICES where TAGS.location.region = "US"', ids: ['dev-001', 'dev-002', 'dev-005', 'dev-008', 'sensor-B'] },
  { sql: "SELECT * FROM devices WHERE tags.location.Region = 'US'", ids: [] }, // tag names are case-sensitive
  { sql: "SELECT * FROM devices WHERE connectionState = 'Connected'", ids: ['dev-001', 'dev-003', 'dev-005', 'dev-008', 'edge-01', 'sensor-A'] },
  { sql: "SELECT * FROM devices WHERE ConnectionState = 'Disconnected' AND Status = 'enabled'", ids: ['dev-002', 'dev-006', 'dev-007', 'edge-02'] },
  { sql: 'SELECT * FROM devices WHERE capabilities.iotEdge = true', ids: ['edge-01'] },
  { sql: "SELECT * FROM devices WHERE tags.[[site-name]] = 'Berlin'", ids: ['edge-01'] },
  { sql: 'SELECT * FROM devices WHERE tags.counter = 0x10', ids: ['sensor-B'] },
  { sql: 'SELECT * FROM devices WHERE properties.reported.$version >= 3', ids: ['dev-001', 'dev-002'] },
  { sql: "SELECT * FROM devices WHERE lastActivityTime > '2024-05-10'", ids: ['edge-02', 'sensor-A', 'sensor-B'] },
  {
    sql: `SELECT * FROM devices WHERE properties.reported.$metadata.iothubDM.reboot.status.$lastUpdated >= '2024-05-01'`,
    ids: ['dev-001', 'dev-002', 'dev-003', 'dev-005', 'dev-007', 'dev-008', 'edge-01', 'sensor-B'],
  },
  {
    sql: `SELECT * FROM devices WHERE deviceId IN [${Array.from({ length: 500 }, (_, i) => `'dev-${String(i).padStart(3, '0')}'`).join(', ')}]`,
    ids: ['dev-001', 'dev-002', 'dev-003', 'dev-004', 'dev-005', 'dev-006', 'dev-007', 'dev-008'],
  },
  // reboot status: missing properties never match a comparison, negated or not
  { sql: `SELECT * FROM devices WHERE ${REBOOT} = 'completed'`, ids: ['dev-001', 'dev-005', 'dev-007', 'edge-01'] },
  { sql: `SELECT * FROM devices WHERE ${REBOOT} != 'completed'`, ids: ['dev-002', 'dev-003', 'dev-008', 'sensor-B'] },
  { sql: `SELECT * FROM devices WHERE ${REBOOT} <> 'completed'`, ids: ['dev-002', 'dev-003', 'dev-008', 'sensor-B'] },
  { sql: `SELECT * FROM devices WHERE NOT (${REBOOT} = 'completed')`, ids: ['dev-002', 'dev-003', 'dev-008', 'sensor-B'] },
  { sql: `SELECT * FROM devices WHERE NOT IS_DEFINED(${REBOOT})`, ids: ['dev-004', 'dev-006', 'edge-02', 'sensor-A'] },
  { sql: `SELECT * FROM devices WHERE ${REBOOT} IN ['rebooting', 'failed'] AND connectionState = 'Connected'`, ids: ['dev-003', 'dev-008'] },
  // IN / NIN and IS_DEFINED (null is defined; objects never equal a constant)
  { sql: "SELECT * FROM devices WHERE properties.reported.connectivity IN ['wired', 'wifi']", ids: ['dev-001', 'dev-002', 'dev-004'] },
  { sql: "SELECT * FROM devices WHERE properties.reported.connectivity NIN ['wired', 'wifi']", ids: ['dev-003', 'dev-007'] },
  { sql: 'SELECT * FROM devices WHERE is_defined(properties.reported.connectivity)', ids: ['dev-001', 'dev-002', 'dev-003', 'dev-004', 'dev-005', 'dev-007'] },
  { sql: 'SELECT * FROM devices WHERE properties.reported.connectivity = null', ids: ['dev-007'] },
  { sql: 'SELECT * FROM devices WHERE NOT IS_DEFINED(tags)', ids: ['dev-006'] },
  { sql: "SELECT * FROM devices WHERE tags.priority IN [1, 2] AND NOT tags.fleet = 'beta'", ids: ['dev-007'] },
  // numbers: comparisons only between the same primitive type, arithmetic on numbers only
  { sql: 'SELECT * FROM devices WHERE properties.reported.temperature > 20', ids: ['dev-001', 'dev-003', 'sensor-B'] },
  { sql: 'SELECT * FROM devices WHERE properties.reported.temperature < -4.5', ids: ['sensor-A'] },
  { sql: "SELECT * FROM devices WHERE properties.reported.temperature = '25'", ids: ['dev-005'] },
  { sql: 'SELECT * FROM devices WHERE properties.reported.temperature * 2 + 1 >= 43', ids: ['dev-001', 'dev-003', 'sensor-B'] },
  { sql: 'SELECT * FROM devices WHERE properties.reported.temperature % 2 = 0', ids: ['dev-003', 'sensor-B'] },
  { sql: "SELECT * FROM devices WHERE deviceId = 'dev-00' + '1'", ids: [] },
  {
    sql: 'SELECT * FROM devices WHERE properties.reported.telemetryConfig.sendFrequencyInSecs <= properties.desired.telemetryConfig.sendFrequencyInSecs',
    ids: ['dev-001', 'dev-002'],
  },
  // comparing two properties works for primitives, not for objects (query-twins.md, "Twin query limitations")
  { sql: 'SELECT * FROM devices WHERE properties.desired.config.mode != properties.reported.config.mode', ids: ['dev-008'] },
  { sql: 'SELECT * FROM devices WHERE properties.desired.config = properties.reported.config', ids: [] },
  // string functions, both spellings, and precedence (AND binds tighter than OR)
  { sql: "SELECT * FROM devices WHERE STARTSWITH(deviceId, 'edge-')", ids: ['edge-01', 'edge-02'] },
  { sql: "SELECT * FROM devices WHERE ENDS_WITH(deviceId, '-B') OR starts_with(deviceId, 'dev-00') AND tags.fleet = 'beta'", ids: ['dev-003', 'dev-004', 'dev-008', 'sensor-B'] },
  { sql: "SELECT * FROM devices WHERE (ENDSWITH(deviceId, '-B') OR STARTSWITH(deviceId, 'dev-00')) AND tags.fleet = 'gamma'", ids: ['dev-005', 'sensor-B'] },
  // conditions must be Boolean true
  { sql: 'SELECT * FROM devices WHERE true', ids: ALL },
  { sql: 'SELECT * FROM devices WHERE 1', ids: [] },
  // TOP
  { sql: 'SELECT TOP 3 * FROM devices', ids: ['dev-001', 'dev-002', 'dev-003'] },
  { sql: 'SELECT TOP 0 * FROM devices', ids: [] },
  { sql: "SELECT TOP 2 deviceId FROM devices WHERE connectionState = 'Disconnected'", rows: [{ deviceId: 'dev-002' }, { deviceId: 'dev-004' }] },
  // projections
  { sql: "SELECT deviceId FROM devices WHERE status = 'disabled'", rows: [{ deviceId: 'dev-004' }, { deviceId: 'sensor-B' }] },
  {
    sql: "SELECT DeviceId, LastActivityTime FROM devices WHERE status = 'enabled' AND connectionState = 'Disconnected'",
    rows: [
      { deviceId: 'dev-002', lastActivityTime: '2024-05-02T08:00:00.000Z' },
      { deviceId: 'dev-006', lastActivityTime: '0001-01-01T00:00:00Z' },
      { deviceId: 'dev-007', lastActivityTime: '2024-05-07T08:00:00.000Z' },
      { deviceId: 'edge-02', lastActivityTime: '2024-05-10T08:00:00.000Z' },
    ],
  },
  {
    sql: `SELECT deviceId, ${REBOOT} FROM devices WHERE tags.fleet = 'alpha'`,
    rows: [{ deviceId: 'dev-001', status: 'completed' }, { deviceId: 'dev-002', status: 'rebooting' }, { deviceId: 'dev-007', status: 'completed' }],
  },
  {
    sql: `SELECT deviceId, ${REBOOT} AS rebootStatus FROM devices WHERE tags.fleet = 'edge'`,
    rows: [{ deviceId: 'edge-01', rebootStatus: 'completed' }, { deviceId: 'edge-02' }],
  },
  {
    sql: "SELECT deviceId, tags.location FROM devices WHERE tags.location.plant = 'Redmond43'",
    rows: [
      { deviceId: 'dev-001', location: { region: 'US', plant: 'Redmond43' } },
      { deviceId: 'dev-002', location: { region: 'US', plant: 'Redmond43' } },
    ],
  },
  { sql: "SELECT properties.Reported.$version AS v FROM devices WHERE deviceId IN ['dev-001', 'dev-003']", rows: [{ v: 5 }, { v: 2 }] },
  // aggregates
  { sql: 'SELECT COUNT() AS totalNumberOfDevices FROM devices', rows: [{ totalNumberOfDevices: 12 }] },
  { sql: "SELECT COUNT() FROM devices WHERE status = 'disabled'", rows: [{ $1: 2 }] },
  { sql: "SELECT COUNT() AS n FROM devices WHERE tags.fleet = 'nope'", rows: [{ n: 0 }] },
  {
    sql: 'SELECT COUNT() AS n, SUM(tags.priority) AS total, MIN(properties.reported.temperature) AS coldest, MAX(tags.nothing) AS none FROM devices',
    rows: [{ n: 12, total: 3, coldest: -5 }],
  },
  {
    sql: `SELECT ${REBOOT} AS status, COUNT() AS numberOfDevices FROM devices GROUP BY ${REBOOT}`,
    rows: [
      { status: 'completed', numberOfDevices: 4 },
      { status: 'rebooting', numberOfDevices: 2 },
      { status: 'failed', numberOfDevices: 2 },
      { numberOfDevices: 4 },
    ],
  },
  {
    sql: `SELECT TOP 2 ${REBOOT} AS status, COUNT() AS n FROM devices GROUP BY ${REBOOT}`,
    rows: [{ status: 'completed', n: 4 }, { status: 'rebooting', n: 2 }],
  },
  {
    sql: "SELECT tags.fleet, COUNT() AS devices FROM devices WHERE connectionState = 'Connected' GROUP BY tags.fleet",
    rows: [{ fleet: 'alpha', devices: 1 }, { fleet: 'beta', devices: 2 }, { fleet: 'gamma', devices: 2 }, { fleet: 'edge', devices: 1 }],
  },
  {
    sql: `SELECT tags.location.region AS region, COUNT() AS n, MAX(properties.reported.temperature) AS hottest,
            AVG(properties.reported.temperature) AS mean
          FROM devices WHERE tags.fleet IN ['alpha', 'beta'] GROUP BY tags.location.region`,
    rows: [{ region: 'US', n: 3, hottest: 21.5, mean: 20.25 }, { region: 'EU', n: 2, hottest: 30, mean: 30 }, { region: 'APAC', n: 1 }],
  },
  { sql: 'SELECT COUNT() AS n FROM devices GROUP BY status', rows: [{ n: 10 }, { n: 2 }] },
  { sql: 'SELECT status FROM devices GROUP BY status', rows: [{ status: 'enabled' }, { status: 'disabled' }] },
];

describe('query table over the fixture fleet', () => {
  test('has at least 35 cases', () => assert.ok(cases.length >= 35, `only ${cases.length}`));

  for (const testCase of cases) {
    test(testCase.sql.replace(/\s+/g, ' '), () => {
      const twins = fleet();
      const query = compileQuery(testCase.sql);
      const result = query.run(twins);
      if ('ids' in testCase) {
        assert.equal(query.itemType, 'twin');
        assert.deepEqual(result.map((row) => (row as { deviceId: string }).deviceId), testCase.ids);
        // SELECT * rows are the twins themselves, whole.
        for (const row of result) assert.ok(twins.includes(row as (typeof twins)[number]));
      } else {
        assert.equal(query.itemType, 'raw');
        assert.deepEqual(result, testCase.rows);
      }
    });
  }
});

describe('GROUP BY counts', () => {
  test('group counts add up to the filtered total, and the missing-value group omits the key', () => {
    const twins = fleet();
    const rows = compileQuery('SELECT tags.location.region AS region, COUNT() AS n FROM devices GROUP BY tags.location.region').run(twins) as {
      region?: string;
      n: number;
    }[];
    assert.deepEqual(rows, [
      { region: 'US', n: 5 },
      { region: 'EU', n: 3 },
      { n: 2 }, // dev-006 (no tags) and edge-02 (no location)
      { region: 'APAC', n: 1 },
      { region: 'us', n: 1 },
    ]);
    assert.equal(rows.reduce((sum, row) => sum + row.n, 0), twins.length);
    assert.ok(!('region' in elementAt(rows, 2)));
  });

  test('groups by object values regardless of key order', () => {
    const twins = [
      { deviceId: 'a', tags: { loc: { x: 1, y: 2 } } },
      { deviceId: 'b', tags: { loc: { y: 2, x: 1 } } },
      { deviceId: 'c', tags: { loc: { x: 1 } } },
      { deviceId: 'd', tags: { loc: '1' } },
      { deviceId: 'e', tags: { loc: 1 } },
    ];
    const rows = compileQuery('SELECT tags.loc, COUNT() AS n FROM devices GROUP BY tags.loc').run(twins);
    assert.deepEqual(rows, [{ loc: { x: 1, y: 2 }, n: 2 }, { loc: { x: 1 }, n: 1 }, { loc: '1', n: 1 }, { loc: 1, n: 1 }]);
  });

  test('GROUP BY over no matching twins gives no rows; COUNT() without GROUP BY still gives one', () => {
    assert.deepEqual(compileQuery("SELECT status, COUNT() AS n FROM devices WHERE status = 'x' GROUP BY status").run(fleet()), []);
    assert.deepEqual(compileQuery('SELECT COUNT() AS n FROM devices').run([]), [{ n: 0 }]);
  });
});

describe('projection rows', () => {
  test('are fresh objects: an alias named __proto__ is an ordinary key', () => {
    const row = elementAt(compileQuery('SELECT deviceId AS [[__proto__]] FROM devices').run([{ deviceId: 'x' }]) as object[], 0);
    assert.deepEqual(Object.keys(row), ['__proto__']);
    assert.equal(Object.getPrototypeOf(row), Object.prototype);
    assert.equal(JSON.stringify(row), '{"__proto__":"x"}');
  });

  test('paths never reach inherited members', () => {
    const rows = compileQuery('SELECT tags.constructor AS c, tags.toString AS t FROM devices WHERE NOT IS_DEFINED(tags.constructor)').run([
      { deviceId: 'x', tags: {} },
    ]);
    assert.deepEqual(rows, [{}]);
  });

  test('a compiled query can be run again on other twins', () => {
    const query = compileQuery("SELECT deviceId FROM devices WHERE tags.fleet = 'edge'");
    assert.deepEqual(query.run(fleet()), [{ deviceId: 'edge-01' }, { deviceId: 'edge-02' }]);
    assert.deepEqual(query.run([{ deviceId: 'z', tags: { fleet: 'edge' } }]), [{ deviceId: 'z' }]);
  });

  test('runs over any iterable, stopping early for TOP', () => {
    let pulled = 0;
    function* twins() {
      for (const twin of fleet()) {
        pulled += 1;
        yield twin;
      }
    }
    assert.deepEqual(compileQuery('SELECT TOP 2 deviceId FROM devices').run(twins()), [{ deviceId: 'dev-001' }, { deviceId: 'dev-002' }]);
    assert.equal(pulled, 2);
  });
});
