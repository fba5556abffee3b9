// Turns query text into tokens. The lexical rules follow the IoT Hub query language reference
// (MicrosoftDocs/azure-docs articles/iot-hub/iot-hub-devguide-query-language.md, "Expressions and conditions"):
// strings in '…' or "…" with the escapes \' \" \\ \uXXXX only, decimal and 0x hexadecimal numbers, and
// property names that collide with keywords written in double brackets, e.g. tags.[[group]].name.
import { syntaxError } from './errors';

export type SymbolText =
  | ',' | '.' | '(' | ')' | '[' | ']' | '*'
  | '=' | '!=' | '<>' | '<' | '>' | '<=' | '>='
  | '+' | '-' | '/' | '%';

export type Token =
  /** An identifier or a keyword: the parser decides which from the context. */
  | { kind: 'word'; text: string; position: number }
  /** A property name written as [[name]]: never a keyword. */
  | { kind: 'name'; name: string; position: number }
  | { kind: 'string'; value: string; position: number }
  | { kind: 'number'; value: number; text: string; position: number }
  | { kind: 'symbol'; text: SymbolText; position: number }
  | { kind: 'end'; position: number };

const TWO_CHAR_SYMBOLS: readonly SymbolText[] = ['!=', '<>', '<=', '>='];
const ONE_CHAR_SYMBOLS = new Set<string>([',', '.', '(', ')', '[', ']', '*', '=', '<', '>', '+', '-', '/', '%']);

const WORD = /[A-Za-z_$][A-Za-z0-9_$]*/y;
const NUMBER = /0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
/** Characters that may not touch the end of a number (`12ab`, `1.2.3`, `0x`, `1e`). */
const NUMBER_TAIL = /[A-Za-z0-9_$.]+/y;
const WHITESPACE = /\s/;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  for (let c = text[i]; c !== undefined; c = text[i]) {
    if (WHITESPACE.test(c)) {
      i += 1;
      continue;
    }
    if (c === "'" || c === '"') {
      const { value, end } = readString(text, i);
      tokens.push({ kind: 'string', value, position: i });
      i = end;
      continue;
    }
    // `[[` always opens a quoted name, so a nested array constant needs a space: `[ [1, 2] ]`.
    if (c === '[' && text[i + 1] === '[') {
      const close = text.indexOf(']]', i + 2);
      if (close < 0) throw syntaxError(i, 'unterminated [[property name]]');
      const name = text.slice(i + 2, close);
      if (name.length === 0) throw syntaxError(i, 'empty [[ ]] property name');
      tokens.push({ kind: 'name', name, position: i });
      i = close + 2;
      continue;
    }
    if (c >= '0' && c <= '9') {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text);
      // The regex always matches at a digit.
      const numberText = (match as RegExpExecArray)[0];
      const end = i + numberText.length;
      NUMBER_TAIL.lastIndex = end;
      const tail = NUMBER_TAIL.exec(text);
      if (tail) throw syntaxError(i, `invalid number '${numberText}${tail[0]}'`);
      const value = /^0[xX]/.test(numberText) ? Number.parseInt(numberText.slice(2), 16) : Number(numberText);
      if (!Number.isFinite(value)) throw syntaxError(i, `number out of range '${numberText}'`);
      tokens.push({ kind: 'number', value, text: numberText, position: i });
      i = end;
      continue;
    }
    WORD.lastIndex = i;
    const word = WORD.exec(text);
    if (word) {
      tokens.push({ kind: 'word', text: word[0], position: i });
      i += word[0].length;
      continue;
    }
    const pair = text.slice(i, i + 2);
    const two = TWO_CHAR_SYMBOLS.find((s) => s === pair);
    if (two) {
      tokens.push({ kind: 'symbol', text: two, position: i });
      i += 2;
      continue;
    }
    if (ONE_CHAR_SYMBOLS.has(c)) {
      tokens.push({ kind: 'symbol', text: c as SymbolText, position: i });
      i += 1;
      continue;
    }
    throw syntaxError(i, `unexpected character '${c}'`);
  }
  tokens.push({ kind: 'end', position: text.length });
  return tokens;
}

function readString(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === quote) return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      i += 1;
      continue;
    }
    const escape = text[i + 1];
    if (escape === "'" || escape === '"' || escape === '\\') {
      value += escape;
      i += 2;
    } else if (escape === 'u') {
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw syntaxError(i, 'invalid \\u escape in string: expected 4 hexadecimal digits');
      value += String.fromCharCode(Number.parseInt(hex, 16));
      i += 6;
    } else if (escape === undefined) {
      break;
    } else {
      throw syntaxError(i, `invalid escape sequence '\\${escape}' in string (allowed: \\' \\" \\\\ \\uXXXX)`);
    }
  }
  throw syntaxError(start, 'unterminated string');
}

/** How a token reads in an error message. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'end of query';
    case 'word':
      return `'${token.text}'`;
    case 'name':
      return `'[[${token.name}]]'`;
    case 'string':
      return `string ${JSON.stringify(token.value.length > 20 ? `${token.value.slice(0, 20)}…` : token.value)}`;
    case 'number':
      return `number ${token.text}`;
    case 'symbol':
      return `'${token.text}'`;
  }
}
