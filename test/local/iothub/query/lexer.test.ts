import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { describeToken, tokenize, type Token } from '../../../../local/iothub/query/lexer';

const shape = (tokens: Token[]) =>
  tokens.map((t) => {
    switch (t.kind) {
      case 'word':
      case 'symbol':
        return `${t.kind}:${t.text}`;
      case 'name':
        return `name:${t.name}`;
      case 'string':
        return `string:${t.value}`;
      case 'number':
        return `number:${t.value}`;
      case 'end':
        return 'end';
    }
  });

test('splits a query into words, symbols, strings and numbers with their positions', () => {
  const tokens = tokenize("SELECT * FROM devices WHERE tags.x >= 60 AND y <> 'a'");
  assert.deepEqual(shape(tokens), [
    'word:SELECT', 'symbol:*', 'word:FROM', 'word:devices', 'word:WHERE', 'word:tags', 'symbol:.', 'word:x', 'symbol:>=',
    'number:60', 'word:AND', 'word:y', 'symbol:<>', 'string:a', 'end',
  ]);
  assert.deepEqual(tokens.map((t) => t.position), [0, 7, 9, 14, 22, 28, 32, 33, 35, 38, 41, 45, 47, 50, 53]);
});

test('recognises every operator, longest first', () => {
  assert.deepEqual(shape(tokenize('= != <> < > <= >= + - * / % , ( ) [ ]')).slice(0, -1), [
    'symbol:=', 'symbol:!=', 'symbol:<>', 'symbol:<', 'symbol:>', 'symbol:<=', 'symbol:>=', 'symbol:+', 'symbol:-',
    'symbol:*', 'symbol:/', 'symbol:%', 'symbol:,', 'symbol:(', 'symbol:)', 'symbol:[', 'symbol:]',
  ]);
  assert.deepEqual(shape(tokenize('a<=b')), ['word:a', 'symbol:<=', 'word:b', 'end']);
});

test('strings: both quotes and the documented escapes', () => {
  const values = tokenize(String.raw`'it\'s' "say \"hi\"" 'back\\slash' '\u0041\u00e9' "mixed 'quotes'" ''`)
    .filter((t): t is Token & { kind: 'string' } => t.kind === 'string')
    .map((t) => t.value);
  assert.deepEqual(values, ["it's", 'say "hi"', 'back\\slash', 'Aé', "mixed 'quotes'", '']);
});

test('numbers: integers, decimals, exponents and hexadecimal', () => {
  const values = tokenize('0 42 1.5 2.5e2 7E-1 0x1F 0XfF')
    .filter((t): t is Token & { kind: 'number' } => t.kind === 'number')
    .map((t) => t.value);
  assert.deepEqual(values, [0, 42, 1.5, 250, 0.7, 31, 255]);
});

test('identifiers may start with $ or _ and [[…]] quotes any property name', () => {
  assert.deepEqual(shape(tokenize('properties.reported.$version _x [[group]] [[site-name]] [[a.b c]]')), [
    'word:properties', 'symbol:.', 'word:reported', 'symbol:.', 'word:$version', 'word:_x', 'name:group', 'name:site-name',
    'name:a.b c', 'end',
  ]);
});

test('whitespace of any kind separates tokens', () => {
  assert.deepEqual(shape(tokenize('SELECT\n\t*\r\nFROM  devices')), ['word:SELECT', 'symbol:*', 'word:FROM', 'word:devices', 'end']);
});

test('error messages describe tokens readably', () => {
  const [word, name, str, num, sym, end] = tokenize("WHERE [[g]] 'a long string value over twenty' 0x10 <= ");
  assert.ok(word && name && str && num && sym && end);
  assert.equal(describeToken(word), "'WHERE'");
  assert.equal(describeToken(name), "'[[g]]'");
  assert.equal(describeToken(str), 'string "a long string value …"');
  assert.equal(describeToken(num), 'number 0x10');
  assert.equal(describeToken(sym), "'<='");
  assert.equal(describeToken(end), 'end of query');
});
