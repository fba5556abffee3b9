// Queries the engine must refuse, each with a message that names the problem (it goes to the caller in a 400 body).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compileQuery, MAX_QUERY_LENGTH, QueryError } from '../../../../local/iothub/query';

interface BadQuery {
  sql: string;
  /** A fragment the message must contain. */
  message: string;
  /** The expected 0-based position, when the problem has one. */
  position?: number;
}

const badQueries: BadQuery[] = [
  { sql: '', message: 'Query is empty' },
  { sql: ' \n\t ', message: 'Query is empty' },
  { sql: `SELECT * FROM devices WHERE deviceId = '${'x'.repeat(MAX_QUERY_LENGTH)}'`, message: 'the limit is 8192' },
  { sql: 'SELECT *', message: 'Syntax error at position 8: expected FROM, found end of query', position: 8 },
  { sql: 'SELECT * devices', message: "expected FROM, found 'devices'", position: 9 },
  { sql: 'FROM devices', message: "expected SELECT, found 'FROM'", position: 0 },
  { sql: 'SELECT FROM devices', message: "expected '*', a property path or an aggregate, found 'FROM'", position: 7 },
  { sql: 'SELECT * FROM devices.modules', message: "Unsupported query source 'devices.modules'", position: 14 },
  { sql: 'SELECT jobId FROM devices.jobs', message: 'Queries on devices.jobs support only SELECT *' },
  { sql: 'SELECT COUNT() FROM devices.jobs', message: 'Queries on devices.jobs support only SELECT *' },
  { sql: 'SELECT * FROM things', message: "Unknown query source 'things'", position: 14 },
  { sql: 'SELECT * FROM devices extra', message: "unexpected 'extra' after the end of the query", position: 22 },
  { sql: 'SELECT * FROM devices;', message: "unexpected character ';'", position: 21 },
  { sql: "SELECT * FROM devices WHERE deviceId = 'abc", message: 'position 39: unterminated string', position: 39 },
  { sql: 'SELECT * FROM devices WHERE deviceId = "it\\"s', message: 'unterminated string', position: 39 },
  { sql: "SELECT * FROM devices WHERE deviceId = 'a\\nb'", message: "invalid escape sequence '\\n'", position: 41 },
  { sql: "SELECT * FROM devices WHERE deviceId = '\\u12'", message: 'invalid \\u escape', position: 40 },
  { sql: 'SELECT * FROM devices WHERE tags.n = 12ab', message: "invalid number '12ab'", position: 37 },
  { sql: 'SELECT * FROM devices WHERE tags.n = 0x', message: "invalid number '0x'", position: 37 },
  { sql: 'SELECT * FROM devices WHERE tags.n = 1.2.3', message: "invalid number '1.2.3'", position: 37 },
  { sql: 'SELECT * FROM devices WHERE tags.n = 1e', message: "invalid number '1e'", position: 37 },
  { sql: 'SELECT * FROM devices WHERE tags.n = 1e999', message: "number out of range '1e999'", position: 37 },
  { sql: 'SELECT * FROM devices WHERE FOO(deviceId)', message: "Unknown function 'FOO' at position 28", position: 28 },
  { sql: "SELECT * FROM devices WHERE CONTAINS(deviceId, 'x')", message: "Unknown function 'CONTAINS'", position: 28 },
  { sql: 'SELECT * FROM devices WHERE IS_DEFINED(tags, deviceId)', message: 'function IS_DEFINED expects 1 argument, found 2', position: 28 },
  { sql: "SELECT * FROM devices WHERE STARTSWITH(deviceId)", message: 'function STARTSWITH expects 2 arguments, found 1' },
  { sql: 'SELECT * FROM devices WHERE COUNT() > 1', message: 'aggregate function COUNT() is not allowed here', position: 28 },
  { sql: 'SELECT * FROM devices WHERE', message: 'expected an expression, found end of query', position: 27 },
  { sql: "SELECT * FROM devices WHERE status = 'enabled' AND", message: 'expected an expression, found end of query' },
  { sql: 'SELECT * FROM devices WHERE (status = 1', message: "expected ')', found end of query" },
  { sql: "SELECT * FROM devices WHERE tags.group = 'x'", message: "'group' is a reserved word; write [[group]]", position: 33 },
  { sql: 'SELECT * FROM devices WHERE tags.', message: "expected a property name after '.', found end of query" },
  { sql: 'SELECT * FROM devices WHERE tags.[[x = 1', message: 'unterminated [[property name]]', position: 33 },
  { sql: "SELECT * FROM devices WHERE tags.fleet IN 'alpha'", message: 'expected an array constant after IN', position: 42 },
  { sql: 'SELECT * FROM devices WHERE tags.fleet NIN [tags.other]', message: 'expected a constant', position: 44 },
  { sql: "SELECT * FROM devices WHERE status = 'enabled' ORDER BY deviceId", message: 'ORDER BY is not supported' },
  { sql: 'SELECT * FROM devices WHERE tags.n # 1', message: "unexpected character '#'", position: 35 },
  { sql: 'SELECT * FROM devices WHERE tags.n ! 1', message: "unexpected character '!'", position: 35 },
  { sql: `SELECT * FROM devices WHERE ${'('.repeat(100)}true${')'.repeat(100)}`, message: 'nested too deeply' },
  { sql: `SELECT * FROM devices WHERE ${'NOT '.repeat(100)}true`, message: 'nested too deeply' },
  { sql: 'SELECT TOP -1 * FROM devices', message: "TOP expects a non-negative integer, found '-'", position: 11 },
  { sql: 'SELECT TOP 1.5 * FROM devices', message: 'TOP expects a non-negative integer, found number 1.5' },
  { sql: 'SELECT TOP * FROM devices', message: "TOP expects a non-negative integer, found '*'" },
  { sql: 'SELECT *, deviceId FROM devices', message: "expected FROM, found ','" },
  { sql: 'SELECT deviceId AS FROM devices', message: "expected an alias after AS, found 'FROM'" },
  { sql: 'SELECT COUNT(deviceId) FROM devices', message: "COUNT() takes no argument, found 'deviceId'" },
  { sql: 'SELECT SUM() FROM devices', message: "expected a property path inside SUM(), found ')'" },
  { sql: 'SELECT FOO() FROM devices', message: "unknown aggregate function 'FOO'", position: 7 },
  { sql: 'SELECT deviceId + 1 FROM devices', message: "expected FROM, found '+'" },
  { sql: 'SELECT deviceId, properties.reported.deviceId FROM devices', message: "Duplicate projection name 'deviceId' at position 17" },
  { sql: 'SELECT COUNT(), COUNT() AS $1 FROM devices', message: "Duplicate projection name '$1'" },
  { sql: 'SELECT * FROM devices GROUP BY tags.fleet', message: 'GROUP BY cannot be used with SELECT *', position: 31 },
  { sql: 'SELECT deviceId, COUNT() AS n FROM devices GROUP BY tags.fleet', message: "Projection 'deviceId' at position 7 is not the GROUP BY path 'tags.fleet'", position: 7 },
  { sql: 'SELECT deviceId, COUNT() AS n FROM devices', message: "Projection 'deviceId' at position 7 must be an aggregate or the GROUP BY path" },
  { sql: 'SELECT tags.fleet FROM devices GROUP', message: 'expected BY, found end of query' },
  { sql: 'SELECT tags.fleet FROM devices GROUP BY COUNT()', message: 'expected a property path to group by' },
];

describe('bad queries are refused with a QueryError naming the problem', () => {
  test('has at least 10 cases', () => assert.ok(badQueries.length >= 10));

  for (const bad of badQueries) {
    const label = bad.sql.length > 90 ? `${bad.sql.slice(0, 87)}...` : bad.sql || '(empty)';
    test(label, () => {
      assert.throws(
        () => compileQuery(bad.sql),
        (error: unknown) => {
          assert.ok(error instanceof QueryError, `not a QueryError: ${String(error)}`);
          assert.equal(error.name, 'QueryError');
          assert.ok(error.message.includes(bad.message), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(bad.message)}`);
          if (bad.position !== undefined) assert.equal(error.position, bad.position);
          return true;
        },
      );
    });
  }

  test('a query of exactly 8192 characters is accepted, one more is refused', () => {
    const prefix = "SELECT * FROM devices WHERE deviceId = '";
    const exact = `${prefix}${'x'.repeat(MAX_QUERY_LENGTH - prefix.length - 1)}'`;
    assert.equal(exact.length, 8192);
    assert.deepEqual(compileQuery(exact).run([{ deviceId: 'y' }]), []);
    assert.throws(() => compileQuery(`${exact} `), /Query is too long: 8193 characters \(the limit is 8192\)/);
  });

  test('a non-string query is refused rather than crashing', () => {
    assert.throws(() => compileQuery(undefined as unknown as string), (e: unknown) => e instanceof QueryError && /must be a string/.test(e.message));
  });

  test('nesting up to the limit is fine', () => {
    const sql = `SELECT * FROM devices WHERE ${'('.repeat(60)}deviceId = 'a'${')'.repeat(60)}`;
    assert.deepEqual(compileQuery(sql).run([{ deviceId: 'a' }, { deviceId: 'b' }]), [{ deviceId: 'a' }]);
  });
});
