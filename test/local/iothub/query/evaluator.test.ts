// Value semantics of WHERE expressions, evaluated directly through the compiled expression closures.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compileQuery, parseQuery } from '../../../../local/iothub/query';
import { compileExpression } from '../../../../local/iothub/query/evaluator';

const twin = {
  deviceId: 'd1',
  tags: { s: 'abc', n: 5, z: 0, b: true, nil: null, obj: { k: 1 }, arr: [1, 2] },
  properties: { desired: { n: 5 }, reported: { n: 7 } },
};

/** The value of `expression` for the twin above (undefined stands for SQL's unknown). */
function value(expression: string): unknown {
  const ast = parseQuery(`SELECT * FROM devices WHERE ${expression}`);
  assert.ok(ast.where);
  return compileExpression(ast.where)(twin);
}

describe('comparisons', () => {
  test('same-type primitives compare by value; strings by code unit; false < true', () => {
    assert.equal(value("tags.s = 'abc'"), true);
    assert.equal(value("tags.s != 'abd'"), true);
    assert.equal(value("tags.s < 'abd'"), true);
    assert.equal(value("tags.s < 'ABC'"), false); // 'a' (0x61) sorts after 'A' (0x41)
    assert.equal(value('tags.n >= 5'), true);
    assert.equal(value('tags.n > 5'), false);
    assert.equal(value('tags.n <= 4.99'), false);
    assert.equal(value('tags.b = true'), true);
    assert.equal(value('false < tags.b'), true);
    assert.equal(value('properties.desired.n < properties.reported.n'), true);
  });

  test('null equals null only', () => {
    assert.equal(value('tags.nil = null'), true);
    assert.equal(value('tags.nil != null'), false);
    assert.equal(value('tags.nil <= null'), true);
    assert.equal(value('tags.nil < null'), false);
    assert.equal(value('tags.nil = 0'), undefined);
    assert.equal(value("tags.s = null"), undefined);
  });

  test('missing properties, objects, arrays and mixed types give unknown (undefined), never false', () => {
    assert.equal(value("tags.missing = 'x'"), undefined);
    assert.equal(value("tags.missing != 'x'"), undefined);
    assert.equal(value('tags.missing = undefined'), undefined);
    assert.equal(value('tags.obj = tags.obj'), undefined);
    assert.equal(value('tags.arr = [1, 2]'), undefined);
    assert.equal(value("tags.n = '5'"), undefined);
    assert.equal(value('tags.b = 1'), undefined);
  });

  test('paths through non-objects are undefined', () => {
    assert.equal(value('IS_DEFINED(tags.s.length)'), false);
    assert.equal(value('IS_DEFINED(tags.arr.length)'), false);
    assert.equal(value('IS_DEFINED(tags.nil.x)'), false);
    assert.equal(value('IS_DEFINED(tags.obj.k)'), true);
  });
});

describe('three-valued logic', () => {
  const T = 'tags.b = true';
  const F = 'tags.b = false';
  const U = "tags.missing = 'x'";

  test('AND', () => {
    assert.equal(value(`${T} AND ${T}`), true);
    assert.equal(value(`${T} AND ${F}`), false);
    assert.equal(value(`${U} AND ${F}`), false);
    assert.equal(value(`${F} AND ${U}`), false);
    assert.equal(value(`${T} AND ${U}`), undefined);
    assert.equal(value(`${U} AND ${U}`), undefined);
  });

  test('OR', () => {
    assert.equal(value(`${F} OR ${F}`), false);
    assert.equal(value(`${F} OR ${T}`), true);
    assert.equal(value(`${U} OR ${T}`), true);
    assert.equal(value(`${T} OR ${U}`), true);
    assert.equal(value(`${F} OR ${U}`), undefined);
  });

  test('NOT', () => {
    assert.equal(value(`NOT ${T}`), false);
    assert.equal(value(`NOT ${F}`), true);
    assert.equal(value(`NOT ${U}`), undefined);
    assert.equal(value("NOT tags.s"), undefined); // NOT of a non-Boolean
  });

  test('non-Boolean operands count as unknown', () => {
    assert.equal(value(`tags.s AND ${T}`), undefined);
    assert.equal(value(`tags.n OR ${F}`), undefined);
    assert.equal(value(`tags.n OR ${T}`), true);
  });
});

describe('IN / NIN', () => {
  test('membership by type and value', () => {
    assert.equal(value("tags.s IN ['x', 'abc']"), true);
    assert.equal(value("tags.s IN ['x']"), false);
    assert.equal(value("tags.n IN ['5']"), false);
    assert.equal(value('tags.n IN [4, 5]'), true);
    assert.equal(value('tags.nil IN [null]'), true);
    assert.equal(value('tags.n IN []'), false);
    assert.equal(value("tags.s NIN ['x']"), true);
    assert.equal(value("tags.s NIN ['abc']"), false);
  });

  test('a missing or structured operand is unknown for both IN and NIN', () => {
    assert.equal(value("tags.missing IN ['x']"), undefined);
    assert.equal(value("tags.missing NIN ['x']"), undefined);
    assert.equal(value('tags.obj NIN [1]'), undefined);
    assert.equal(value('tags.arr IN [ [1, 2] ]'), undefined);
  });
});

describe('arithmetic', () => {
  test('numbers only; non-finite results are undefined', () => {
    assert.equal(value('tags.n + 1 = 6'), true);
    assert.equal(value('tags.n - 10 = -5'), true);
    assert.equal(value('tags.n * 0.5 = 2.5'), true);
    assert.equal(value('tags.n / 2 = 2.5'), true);
    assert.equal(value('tags.n % 3 = 2'), true);
    assert.equal(value('-tags.n = -5'), true);
    assert.equal(value('+tags.n = 5'), true);
    assert.equal(value('0x10 + 1 = 17'), true);
    assert.equal(value('IS_DEFINED(tags.n / tags.z)'), false);
    assert.equal(value('IS_DEFINED(tags.n % 0)'), false);
    assert.equal(value("IS_DEFINED(tags.s + 'd')"), false);
    assert.equal(value('IS_DEFINED(-tags.s)'), false);
    assert.equal(value('IS_DEFINED(tags.missing + 1)'), false);
  });
});

describe('functions', () => {
  test('IS_DEFINED counts null as defined', () => {
    assert.equal(value('IS_DEFINED(tags.nil)'), true);
    assert.equal(value('IS_DEFINED(tags.missing)'), false);
    assert.equal(value('IS_DEFINED(tags.obj)'), true);
    assert.equal(value('IS_DEFINED(undefined)'), false);
  });

  test('STARTSWITH / ENDSWITH need two strings', () => {
    assert.equal(value("STARTSWITH(tags.s, 'ab')"), true);
    assert.equal(value("STARTSWITH(tags.s, 'bc')"), false);
    assert.equal(value("ENDSWITH(tags.s, 'bc')"), true);
    assert.equal(value("ENDS_WITH(tags.s, '')"), true);
    assert.equal(value("STARTSWITH(tags.n, '5')"), undefined);
    assert.equal(value("STARTSWITH(tags.missing, 'a')"), undefined);
    assert.equal(value("NOT STARTSWITH(tags.missing, 'a')"), undefined);
  });
});

test('a WHERE keeps a twin only when its condition is exactly true', () => {
  const run = (condition: string) => compileQuery(`SELECT * FROM devices WHERE ${condition}`).run([twin]).length;
  assert.equal(run('tags.b'), 1);
  assert.equal(run("tags.s"), 0);
  assert.equal(run('tags.n'), 0);
  assert.equal(run('null'), 0);
  assert.equal(run('[true]'), 0);
  assert.equal(run("tags.missing = 'x'"), 0);
  assert.equal(run("NOT (tags.missing = 'x')"), 0);
});
