import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { buildRebootStatusQuery, parseFleetQuery, stringLiteral } from '../../../src/domain/fleetReport';
import { RequestError } from '../../../src/domain/requestError';

const parse = (query: string) => parseFleetQuery(new URLSearchParams(query));

test('no filters: one GROUP BY query over every device', () => {
  assert.equal(buildRebootStatusQuery(parse('')),
    'SELECT properties.reported.iothubDM.reboot.status AS rebootStatus, COUNT() AS deviceCount FROM devices GROUP BY properties.reported.iothubDM.reboot.status');
  assert.deepEqual(parse('code=function-key'), {}, 'the function key is not a filter');
});

test('filters become constants and escaped literals, ANDed', () => {
  const query = parse("connectionState=disconnected&deviceIdPrefix=plant'7&tagName=site.building&tagValue=O'Brien\\x");
  assert.deepEqual(query, { connectionState: 'Disconnected', deviceIdPrefix: "plant'7", tag: { name: 'site.building', value: "O'Brien\\x" } });
  assert.equal(buildRebootStatusQuery(query),
    'SELECT properties.reported.iothubDM.reboot.status AS rebootStatus, COUNT() AS deviceCount FROM devices'
    + " WHERE connectionState = 'Disconnected' AND STARTSWITH(deviceId, 'plant\\'7') AND tags.site.building = 'O\\'Brien\\\\x'"
    + ' GROUP BY properties.reported.iothubDM.reboot.status');
});

test('caller text cannot escape its literal', () => {
  const hostile = "x' OR 1=1 OR tags.a='";
  const sql = buildRebootStatusQuery(parse(`tagName=a&tagValue=${encodeURIComponent(hostile)}`));
  assert.ok(sql.includes(`tags.a = ${stringLiteral(hostile)}`));
  assert.equal(stringLiteral(hostile), "'x\\' OR 1=1 OR tags.a=\\''");
  // Every quote inside is escaped: strip escapes and the literal is exactly one quoted string.
  const literal = stringLiteral(hostile).replace(/\\./g, '');
  assert.equal(literal.split("'").length - 1, 2);
});

test('reserved words in tag paths are bracketed', () => {
  assert.match(buildRebootStatusQuery(parse('tagName=group.name&tagValue=a')), /tags\.\[\[group\]\]\.name = 'a'/);
});

test('bad filters are refused naming the parameter', () => {
  const cases: [string, string][] = [
    ['connectionState=online', 'connectionState'],
    ['deviceIdPrefix=a%20b', 'deviceIdPrefix'],
    ['tagName=region', 'tagValue'],
    ['tagValue=x', 'tagName'],
    ["tagName=a'b&tagValue=x", 'tagName'],
    ['tagName=a.b.c.d.e.f&tagValue=x', 'tagName'],
    ['tagName=1abc&tagValue=x', 'tagName'],
    ['tagName=a&tagValue=%0A', 'tagValue'],
    ['status=completed', 'status'],
    ['connectionState=Connected&connectionState=Disconnected', 'connectionState'],
  ];
  for (const [query, target] of cases) {
    assert.throws(() => parse(query), (err: unknown) => err instanceof RequestError && err.status === 400 && err.target === target, query);
  }
});
