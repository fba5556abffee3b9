import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { buildStatusQuery, COUNT_ALIAS, parseFleetQuery, STATUS_ALIAS, statusPath, stringLiteral } from '../../../src/domain/fleetReport';
import { allOperations } from '../../../src/domain/operations/registry';
import { RequestError } from '../../../src/domain/requestError';

const parse = (query: string) => parseFleetQuery(new URLSearchParams(query));

test('no filters: one GROUP BY query over every device, on the section of each kind', async (t) => {
  for (const { section } of allOperations()) {
    await t.test(section, () => {
      const path = `properties.reported.iothubDM.${section}.status`;
      assert.equal(statusPath(section), path);
      assert.equal(buildStatusQuery(section, parse('')),
        `SELECT ${path} AS ${STATUS_ALIAS}, COUNT() AS ${COUNT_ALIAS} FROM devices GROUP BY ${path}`);
    });
  }
  assert.deepEqual(parse('code=function-key'), {}, 'the function key is not a filter');
});

test('a section name is never caller text: anything but an identifier is refused', async (t) => {
  for (const section of ["reboot' OR 1=1", 'a.b', '', '1abc', 'x'.repeat(65), 'reboot status']) {
    await t.test(JSON.stringify(section), () => assert.throws(() => buildStatusQuery(section, {}), RangeError));
  }
});

test('filters become constants and escaped literals, ANDed', () => {
  const query = parse("connectionState=disconnected&deviceIdPrefix=plant'7&tagName=site.building&tagValue=O'Brien\\x");
  assert.deepEqual(query, { connectionState: 'Disconnected', deviceIdPrefix: "plant'7", tag: { name: 'site.building', value: "O'Brien\\x" } });
  assert.equal(buildStatusQuery('firmwareUpdate', query),
    'SELECT properties.reported.iothubDM.firmwareUpdate.status AS reportedStatus, COUNT() AS deviceCount FROM devices'
    + " WHERE connectionState = 'Disconnected' AND STARTSWITH(deviceId, 'plant\\'7') AND tags.site.building = 'O\\'Brien\\\\x'"
    + ' GROUP BY properties.reported.iothubDM.firmwareUpdate.status');
  assert.deepEqual(parse('connectionState=CONNECTED'), { connectionState: 'Connected' });
});

test('caller text cannot escape its literal', () => {
  const hostile = "x' OR 1=1 OR tags.a='";
  const sql = buildStatusQuery('reboot', parse(`tagName=a&tagValue=${encodeURIComponent(hostile)}`));
  assert.ok(sql.includes(`tags.a = ${stringLiteral(hostile)}`));
  assert.equal(stringLiteral(hostile), "'x\\' OR 1=1 OR tags.a=\\''");
  const literal = stringLiteral(hostile).replace(/\\./g, '');
  assert.equal(literal.split("'").length - 1, 2, 'exactly one quoted string once escapes are removed');
});

test('reserved words in tag paths are bracketed', () => {
  assert.match(buildStatusQuery('reboot', parse('tagName=group.name&tagValue=a')), /tags\.\[\[group\]\]\.name = 'a'/);
  assert.match(buildStatusQuery('reboot', parse('tagName=site.SELECT&tagValue=a')), /tags\.site\.\[\[SELECT\]\] = 'a'/);
});

test('bad filters are refused naming the parameter', async (t) => {
  const cases: [string, string][] = [
    ['connectionState=online', 'connectionState'],
    ['deviceIdPrefix=a%20b', 'deviceIdPrefix'],
    ['deviceIdPrefix=', 'deviceIdPrefix'],
    ['tagName=region', 'tagValue'],
    ['tagValue=x', 'tagName'],
    ["tagName=a'b&tagValue=x", 'tagName'],
    ['tagName=a.b.c.d.e.f&tagValue=x', 'tagName'],
    ['tagName=1abc&tagValue=x', 'tagName'],
    ['tagName=a&tagValue=%0A', 'tagValue'],
    ['tagName=a&tagValue=', 'tagValue'],
    [`tagName=a&tagValue=${'v'.repeat(257)}`, 'tagValue'],
    ['status=completed', 'status'],
    ['connectionState=Connected&connectionState=Disconnected', 'connectionState'],
  ];
  for (const [query, target] of cases) {
    await t.test(query.slice(0, 60), () => {
      assert.throws(() => parse(query), (err: unknown) => err instanceof RequestError && err.problem === 'invalid' && err.target === target);
    });
  }
});
