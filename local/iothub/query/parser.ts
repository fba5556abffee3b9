// Recursive-descent parser for the IoT Hub twin query language:
//
//   SELECT [TOP n] * | <projection> [AS alias], ...  FROM devices  [WHERE <condition>]  [GROUP BY <path>]
//   <projection> ::= <path> | COUNT() | SUM(<path>) | AVG(<path>) | MIN(<path>) | MAX(<path>)
//
// Expression precedence, lowest first: OR; AND; NOT; comparison (= != <> < > <= >=) and IN/NIN [constants];
// + -; * / %; unary + -; primary (constant, path, function call, array constant, parenthesised expression).
// Grammar source: iot-hub-devguide-query-language.md ("SELECT clause", "GROUP BY clause", "Expressions and
// conditions") and query-twins.md. Keywords and function names are case-insensitive.
import type { AggregateFunction, ComparisonOperator, Expression, PathExpression, Projection, QueryAst, QuerySource, SelectClause } from './ast';
import { aggregateByName } from './aggregates';
import { QueryError, syntaxError } from './errors';
import { lookupFunction } from './functions';
import { isReserved } from './keywords';
import { describeToken, type SymbolText, type Token, tokenize } from './lexer';
import { canonicalSegments } from './paths';

/** "Query expressions can have a maximum length of 8192 characters." (query-twins.md, "Twin query limitations") */
export const MAX_QUERY_LENGTH = 8192;
/** Parentheses, NOT, signs and nested arrays deeper than this are refused rather than risking the call stack. */
export const MAX_NESTING_DEPTH = 64;

type WordToken = Extract<Token, { kind: 'word' }>;
type SymbolToken = Extract<Token, { kind: 'symbol' }>;

const COMPARISON_SYMBOLS: ReadonlyMap<string, ComparisonOperator> = new Map([
  ['=', '='], ['!=', '!='], ['<>', '!='], ['<', '<'], ['>', '>'], ['<=', '<='], ['>=', '>='],
]);
const UNSUPPORTED_SOURCES: ReadonlySet<string> = new Set(['devices.modules']);

export function parseQuery(text: string): QueryAst {
  if (typeof text !== 'string') throw new QueryError('Query must be a string');
  if (text.length > MAX_QUERY_LENGTH) {
    throw new QueryError(`Query is too long: ${text.length} characters (the limit is ${MAX_QUERY_LENGTH})`);
  }
  if (text.trim().length === 0) throw new QueryError('Query is empty');
  return new Parser(tokenize(text)).parseQuery();
}

class Parser {
  private index = 0;
  private depth = 0;

  /** The 'end' token tokenize puts last: reading past the end keeps seeing it. */
  private readonly end: Token;

  constructor(private readonly tokens: readonly Token[]) {
    this.end = tokens.at(-1) ?? { kind: 'end', position: 0 };
  }

  parseQuery(): QueryAst {
    this.expectKeyword('SELECT');
    const top = this.acceptKeyword('TOP') ? this.parseTop() : undefined;
    const select = this.parseSelect();
    this.expectKeyword('FROM');
    const source = this.parseSource();
    const where = this.acceptKeyword('WHERE') ? this.parseExpression() : undefined;
    let groupBy: PathExpression | undefined;
    if (this.acceptKeyword('GROUP')) {
      this.expectKeyword('BY');
      groupBy = this.parsePath('a property path to group by');
    }
    const last = this.peek();
    if (last.kind !== 'end') {
      if (this.isWord(last, 'ORDER')) throw syntaxError(last.position, 'ORDER BY is not supported by IoT Hub queries');
      throw syntaxError(last.position, `unexpected ${describeToken(last)} after the end of the query`);
    }
    const query: QueryAst = { select, source };
    if (top !== undefined) query.top = top;
    if (where !== undefined) query.where = where;
    if (groupBy !== undefined) query.groupBy = groupBy;
    return query;
  }

  private parseTop(): number {
    const token = this.next();
    if (token.kind !== 'number' || !Number.isSafeInteger(token.value) || token.value < 0) {
      throw syntaxError(token.position, `TOP expects a non-negative integer, found ${describeToken(token)}`);
    }
    return token.value;
  }

  private parseSelect(): SelectClause {
    if (this.acceptSymbol('*')) return { kind: 'all' };
    const items: Projection[] = [this.parseProjection()];
    while (this.acceptSymbol(',')) items.push(this.parseProjection());
    return { kind: 'projections', items };
  }

  private parseProjection(): Projection {
    const token = this.peek();
    let projection: Projection;
    if (token.kind === 'word' && this.isSymbol(this.peek(1), '(')) {
      const fn = aggregateByName(token.text);
      if (fn === undefined) {
        throw syntaxError(token.position, `unknown aggregate function '${token.text}' (SELECT accepts property paths and COUNT, SUM, AVG, MIN, MAX)`);
      }
      projection = this.parseAggregate(fn);
    } else {
      projection = { kind: 'path', path: this.parsePath("'*', a property path or an aggregate"), position: token.position };
    }
    if (this.acceptKeyword('AS')) projection.alias = this.parseAlias();
    return projection;
  }

  private parseAggregate(fn: AggregateFunction): Projection {
    const start = this.next();
    this.expectSymbol('(');
    if (fn === 'COUNT') {
      const inside = this.peek();
      if (!this.isSymbol(inside, ')')) throw syntaxError(inside.position, `COUNT() takes no argument, found ${describeToken(inside)}`);
      this.next();
      return { kind: 'aggregate', fn, position: start.position };
    }
    const argument = this.parsePath(`a property path inside ${fn}()`);
    this.expectSymbol(')');
    return { kind: 'aggregate', fn, argument, position: start.position };
  }

  private parseAlias(): string {
    const token = this.next();
    if (token.kind === 'name') return token.name;
    if (token.kind === 'word' && !isReserved(token.text)) return token.text;
    throw syntaxError(token.position, `expected an alias after AS, found ${describeToken(token)}`);
  }

  private parseSource(): QuerySource {
    const token = this.peek();
    if (token.kind !== 'word' || isReserved(token.text)) this.fail(token, 'a collection name (devices)');
    const parts = [this.next() as WordToken];
    while (this.isSymbol(this.peek(), '.') && this.peek(1).kind === 'word') {
      this.next();
      parts.push(this.next() as WordToken);
    }
    const name = parts.map((p) => p.text).join('.');
    const lower = name.toLowerCase();
    if (lower === 'devices' || lower === 'devices.jobs') return lower;
    if (UNSUPPORTED_SOURCES.has(lower)) {
      throw new QueryError(`Unsupported query source '${name}' at position ${token.position}: this emulator supports FROM devices and FROM devices.jobs`, token.position);
    }
    throw new QueryError(`Unknown query source '${name}' at position ${token.position}: expected FROM devices`, token.position);
  }

  // ---- expressions ----

  parseExpression(): Expression {
    return this.parseLogical('OR', () => this.parseLogical('AND', () => this.parseNot()));
  }

  private parseLogical(operator: 'AND' | 'OR', operand: () => Expression): Expression {
    const first = operand();
    const operands = [first];
    while (this.acceptKeyword(operator)) operands.push(operand());
    return operands.length === 1 ? first : { kind: 'logical', operator, operands, position: first.position };
  }

  private parseNot(): Expression {
    const token = this.peek();
    if (!this.acceptKeyword('NOT')) return this.parseComparison();
    const operand = this.nested(token, () => this.parseNot());
    return { kind: 'not', operand, position: token.position };
  }

  private parseComparison(): Expression {
    const left = this.parseAdditive();
    const token = this.peek();
    const operator = token.kind === 'symbol' ? COMPARISON_SYMBOLS.get(token.text) : undefined;
    if (operator !== undefined) {
      this.next();
      const right = this.parseAdditive();
      return { kind: 'comparison', operator, left, right, position: token.position };
    }
    if (this.isWord(token, 'IN') || this.isWord(token, 'NIN')) {
      this.next();
      const values = this.parseArrayConstant(`an array constant after ${token.text.toUpperCase()}, e.g. ['a', 'b']`);
      return { kind: 'membership', negated: this.isWord(token, 'NIN'), operand: left, values, position: token.position };
    }
    return left;
  }

  private parseAdditive(): Expression {
    let left = this.parseMultiplicative();
    for (let token = this.peek(); this.isSymbol(token, '+') || this.isSymbol(token, '-'); token = this.peek()) {
      this.next();
      const right = this.parseMultiplicative();
      left = { kind: 'arithmetic', operator: token.text as '+' | '-', left, right, position: token.position };
    }
    return left;
  }

  private parseMultiplicative(): Expression {
    let left = this.parseUnary();
    for (let token = this.peek(); this.isSymbol(token, '*') || this.isSymbol(token, '/') || this.isSymbol(token, '%'); token = this.peek()) {
      this.next();
      const right = this.parseUnary();
      left = { kind: 'arithmetic', operator: token.text as '*' | '/' | '%', left, right, position: token.position };
    }
    return left;
  }

  private parseUnary(): Expression {
    const token = this.peek();
    if (!this.isSymbol(token, '-') && !this.isSymbol(token, '+')) return this.parsePrimary();
    this.next();
    const operator = token.text as '+' | '-';
    const operand = this.nested(token, () => this.parseUnary());
    // Fold signed number constants so `-5` is a constant like `5`.
    if (operand.kind === 'literal' && typeof operand.value === 'number') {
      return { kind: 'literal', value: operator === '-' ? -operand.value : operand.value, position: token.position };
    }
    return { kind: 'sign', operator, operand, position: token.position };
  }

  private parsePrimary(): Expression {
    const token = this.peek();
    switch (token.kind) {
      case 'number':
      case 'string':
        this.next();
        return { kind: 'literal', value: token.value, position: token.position };
      case 'name':
        return this.parsePath('an expression');
      case 'symbol':
        if (token.text === '(') {
          this.next();
          const inner = this.nested(token, () => this.parseExpression());
          this.expectSymbol(')');
          return inner;
        }
        if (token.text === '[') {
          return { kind: 'literal', value: this.parseArrayConstant('an expression'), position: token.position };
        }
        return this.fail(token, 'an expression');
      case 'word': {
        const constant = this.wordConstant(token);
        if (constant.matched) {
          this.next();
          return { kind: 'literal', value: constant.value, position: token.position };
        }
        if (this.isSymbol(this.peek(1), '(')) return this.parseCall();
        return this.parsePath('an expression');
      }
      case 'end':
        return this.fail(token, 'an expression');
    }
  }

  private parseCall(): Expression {
    const nameToken = this.next() as WordToken;
    const aggregate = aggregateByName(nameToken.text);
    if (aggregate !== undefined) {
      throw syntaxError(nameToken.position, `aggregate function ${aggregate}() is not allowed here; aggregates belong in SELECT`);
    }
    const fn = lookupFunction(nameToken.text);
    if (fn === undefined) {
      throw new QueryError(
        `Unknown function '${nameToken.text}' at position ${nameToken.position} (supported: IS_DEFINED, STARTSWITH, ENDSWITH)`,
        nameToken.position,
      );
    }
    const open = this.next();
    const args: Expression[] = [];
    if (!this.isSymbol(this.peek(), ')')) {
      this.nested(open, () => {
        args.push(this.parseExpression());
        while (this.acceptSymbol(',')) args.push(this.parseExpression());
      });
    }
    this.expectSymbol(')');
    if (args.length !== fn.arity) {
      throw syntaxError(nameToken.position, `function ${fn.name} expects ${fn.arity} argument${fn.arity === 1 ? '' : 's'}, found ${args.length}`);
    }
    return { kind: 'call', name: fn.name, args, position: nameToken.position };
  }

  private parseArrayConstant(expected: string): unknown[] {
    const open = this.peek();
    if (!this.isSymbol(open, '[')) this.fail(open, expected);
    this.next();
    const values: unknown[] = [];
    if (this.acceptSymbol(']')) return values;
    this.nested(open, () => {
      values.push(this.parseConstant());
      while (this.acceptSymbol(',')) values.push(this.parseConstant());
    });
    this.expectSymbol(']');
    return values;
  }

  private parseConstant(): unknown {
    const token = this.peek();
    if (token.kind === 'string' || token.kind === 'number') {
      this.next();
      return token.value;
    }
    if (token.kind === 'word') {
      const constant = this.wordConstant(token);
      if (constant.matched) {
        this.next();
        return constant.value;
      }
    }
    if (this.isSymbol(token, '-') || this.isSymbol(token, '+')) {
      const number = this.peek(1);
      if (number.kind === 'number') {
        this.index += 2;
        return token.text === '-' ? -number.value : number.value;
      }
    }
    if (this.isSymbol(token, '[')) return this.parseArrayConstant('an array constant');
    return this.fail(token, 'a constant (string, number, true, false, null or array)');
  }

  private wordConstant(token: WordToken): { matched: boolean; value?: unknown } {
    switch (token.text.toUpperCase()) {
      case 'TRUE':
        return { matched: true, value: true };
      case 'FALSE':
        return { matched: true, value: false };
      case 'NULL':
        return { matched: true, value: null };
      case 'UNDEFINED':
        return { matched: true, value: undefined };
      default:
        return { matched: false };
    }
  }

  /** A path such as `properties.reported.iothubDM.reboot.status` or `tags.[[group]].name`. */
  private parsePath(expected: string): PathExpression {
    const first = this.peek();
    const isName = first.kind === 'name' || (first.kind === 'word' && !isReserved(first.text));
    // A word followed by '(' is a function call, not a path (e.g. GROUP BY COUNT()).
    if (!isName || this.isSymbol(this.peek(1), '(')) this.fail(first, expected);
    const segments = [this.pathSegment(this.next())];
    while (this.acceptSymbol('.')) {
      const token = this.next();
      if (token.kind === 'word' && isReserved(token.text)) {
        throw syntaxError(token.position, `'${token.text}' is a reserved word; write [[${token.text}]] to use it as a property name`);
      }
      if (token.kind !== 'word' && token.kind !== 'name') this.fail(token, "a property name after '.'");
      segments.push(this.pathSegment(token));
    }
    return { kind: 'path', segments: canonicalSegments(segments), position: first.position };
  }

  private pathSegment(token: Token): string {
    return token.kind === 'name' ? token.name : (token as WordToken).text;
  }

  // ---- token helpers ----

  private nested<T>(at: Token, parse: () => T): T {
    this.depth += 1;
    if (this.depth > MAX_NESTING_DEPTH) {
      throw syntaxError(at.position, `expression nested too deeply (more than ${MAX_NESTING_DEPTH} levels)`);
    }
    try {
      return parse();
    } finally {
      this.depth -= 1;
    }
  }

  private peek(offset = 0): Token {
    return this.tokens[this.index + offset] ?? this.end;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private isWord(token: Token, keyword: string): token is WordToken {
    return token.kind === 'word' && token.text.toUpperCase() === keyword;
  }

  private isSymbol(token: Token, symbol: SymbolText): token is SymbolToken {
    return token.kind === 'symbol' && token.text === symbol;
  }

  private acceptKeyword(keyword: string): boolean {
    if (!this.isWord(this.peek(), keyword)) return false;
    this.next();
    return true;
  }

  private expectKeyword(keyword: string): void {
    if (!this.acceptKeyword(keyword)) this.fail(this.peek(), keyword);
  }

  private acceptSymbol(symbol: SymbolText): boolean {
    if (!this.isSymbol(this.peek(), symbol)) return false;
    this.next();
    return true;
  }

  private expectSymbol(symbol: SymbolText): void {
    if (!this.acceptSymbol(symbol)) this.fail(this.peek(), `'${symbol}'`);
  }

  private fail(token: Token, expected: string): never {
    throw syntaxError(token.position, `expected ${expected}, found ${describeToken(token)}`);
  }
}
