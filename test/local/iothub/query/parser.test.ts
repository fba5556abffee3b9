import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compileQuery, parseQuery, type Expression } from '../../../../local/iothub/query';

/** Renders an expression tree as a fully parenthesised string, to assert precedence compactly. */
function show(e: Expression): string {
  switch (e.kind) {
    case 'literal':
      return e.value === undefined ? 'undefined' : JSON.stringify(e.value);
    case 'path':
      return e.segments.join('.');
    case 'not':
      return `(NOT ${show(e.operand)})`;
    case 'sign':
      return `(${e.operator}${show(e.operand)})`;
    case 'logical':
      return `(${e.operands.map(show).join(` ${e.operator} `)})`;
    case 'comparison':
    case 'arithmetic':
      return `(${show(e.left)} ${e.operator} ${show(e.right)})`;
    case 'membership':
      return `(${show(e.operand)} ${e.negated ? 'NIN' : 'IN'} ${JSON.stringify(e.values)})`;
    case 'call':
      return `${e.name}(${e.args.map(show).join(', ')})`;
  }
}

const where = (condition: string): string => {
  const ast = parseQuery(`SELECT * FROM devices WHERE ${condition}`);
  assert.ok(ast.where);
  return show(ast.where);
};

test('a full query: TOP, projections with and without alias, aggregate, WHERE and GROUP BY', () => {
  const ast = parseQuery('select top 5 tags.fleet as f, count() from Devices where tags.x = 1 group by tags.fleet');
  assert.equal(ast.top, 5);
  assert.equal(ast.source, 'devices');
  assert.deepEqual(ast.select, {
    kind: 'projections',
    items: [
      { kind: 'path', path: { kind: 'path', segments: ['tags', 'fleet'], position: 13 }, alias: 'f', position: 13 },
      { kind: 'aggregate', fn: 'COUNT', position: 30 },
    ],
  });
  assert.equal(show(ast.where as Expression), '(tags.x = 1)');
  assert.deepEqual(ast.groupBy, { kind: 'path', segments: ['tags', 'fleet'], position: 77 });
});

test('SELECT * without optional clauses', () => {
  assert.deepEqual(parseQuery('SELECT * FROM devices'), { select: { kind: 'all' }, source: 'devices' });
});

test('precedence: OR < AND < NOT < comparison < additive < multiplicative < sign', () => {
  assert.equal(where('a = 1 OR b = 2 AND c = 3'), '((a = 1) OR ((b = 2) AND (c = 3)))');
  assert.equal(where('(a = 1 OR b = 2) AND c = 3'), '(((a = 1) OR (b = 2)) AND (c = 3))');
  assert.equal(where('NOT a = 1 AND b'), '((NOT (a = 1)) AND b)');
  assert.equal(where('a + 2 * 3 - 4 % 5 > -b / 2'), '(((a + (2 * 3)) - (4 % 5)) > ((-b) / 2))');
  assert.equal(where('a - -1 = 0'), '((a - -1) = 0)');
  assert.equal(where('NOT NOT a'), '(NOT (NOT a))');
});

test('AND/OR chains stay flat', () => {
  assert.equal(where('a AND b AND c OR d OR e'), '((a AND b AND c) OR d OR e)');
});

test('<> is the same operator as !=', () => {
  assert.equal(where('a <> 1'), '(a != 1)');
  assert.equal(where('a != 1'), '(a != 1)');
});

test('constants: strings, numbers, booleans, null, undefined and arrays', () => {
  assert.equal(where("a IN ['x', 1, -2.5, +3, 0x10, true, FALSE, null, [1, 2]]"), '(a IN ["x",1,-2.5,3,16,true,false,null,[1,2]])');
  assert.equal(where('a NIN []'), '(a NIN [])');
  assert.equal(where('a = undefined'), '(a = undefined)');
  assert.equal(where('[1, 2] = a'), '([1,2] = a)');
});

test('function names are case-insensitive and the underscore spellings map to the same functions', () => {
  assert.equal(where("is_defined(a) AND StartsWith(b, 'x') AND starts_with(b, 'y') AND ENDS_WITH(c, 'z') AND endswith(c, 'w')"),
    '(IS_DEFINED(a) AND STARTSWITH(b, "x") AND STARTSWITH(b, "y") AND ENDSWITH(c, "z") AND ENDSWITH(c, "w"))');
});

test('top-level twin fields and the desired/reported sections take their canonical case; names below do not', () => {
  assert.equal(where('DEVICEID = 1'), '(deviceId = 1)');
  assert.equal(where('LastActivityTime = 1'), '(lastActivityTime = 1)');
  assert.equal(where('Properties.Reported.Status = 1'), '(properties.reported.Status = 1)');
  assert.equal(where('PROPERTIES.DESIRED.$VERSION = 1'), '(properties.desired.$VERSION = 1)');
  assert.equal(where('Tags.Location.Region = 1'), '(tags.Location.Region = 1)');
  assert.equal(where('somethingElse.X = 1'), '(somethingElse.X = 1)');
});

test('[[…]] names are plain path segments, keywords included', () => {
  assert.equal(where("tags.[[group]].[[site-name]] = 'x'"), '(tags.group.site-name = "x")');
  assert.equal(where('[[status]] = 1'), '(status = 1)');
});

test('keywords are case-insensitive', () => {
  const ast = parseQuery("SeLeCt ToP 1 deviceId aS id FrOm dEvIcEs WhErE NoT a = 1 oR b NiN [1] GrOuP bY deviceId");
  assert.equal(ast.top, 1);
  assert.equal(show(ast.where as Expression), '((NOT (a = 1)) OR (b NIN [1]))');
});

test('a long arithmetic chain near the length limit parses and evaluates without exhausting the stack', () => {
  const sql = `SELECT * FROM devices WHERE ${'1+'.repeat(3999)}1 = 4000`;
  assert.ok(sql.length <= 8192);
  assert.deepEqual(compileQuery(sql).run([{ deviceId: 'a' }]), [{ deviceId: 'a' }]);
});
