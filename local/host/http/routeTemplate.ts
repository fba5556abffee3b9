// ASP.NET Core route templates as the Functions host uses them for HTTP triggers:
// literals, {p}, {p?}, {p=default}, {*rest} / {**rest}, complex segments like {a}-{b}, and inline
// constraints ({id:int}, {x:alpha}, {x:guid}, {x:length(n)}, {x:length(a,b)}, min/max/range,
// minlength/maxlength, bool, long, double, decimal, float, datetime, regex(...), required).

type Constraint = (value: string) => boolean;

interface ParameterPart {
  kind: 'parameter';
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
  constraints: Constraint[];
}

interface LiteralPart {
  kind: 'literal';
  text: string;
}

type Part = ParameterPart | LiteralPart;

interface Segment {
  parts: Part[];
  /** The segment's only part; undefined for a complex segment such as "{a}-{b}". */
  single: Part | undefined;
}

export interface RouteMatch {
  params: Record<string, string>;
}

const GUID = /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}|\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\))$/i;

function integerIn(value: string, min: bigint, max: bigint): boolean {
  if (!/^[-+]?\d+$/.test(value)) return false;
  const n = BigInt(value);
  return n >= min && n <= max;
}

/** The constraint's arguments as integers; `expected` says how many it takes, for the error. */
function numberArgs(name: string, args: string[], expected: string): number[] {
  if (args.some((a) => !/^-?\d+$/.test(a.trim()))) throw argumentError(name, expected);
  return args.map((a) => Number(a.trim()));
}

function argumentError(name: string, expected: string): Error {
  return new Error(`Route constraint "${name}" expects ${expected} integer argument(s).`);
}

function oneNumberArg(name: string, args: string[], expected = '1'): number {
  const [a, ...more] = numberArgs(name, args, expected);
  if (a === undefined || more.length > 0) throw argumentError(name, expected);
  return a;
}

function twoNumberArgs(name: string, args: string[], expected = '2'): [number, number] {
  const [a, b, ...more] = numberArgs(name, args, expected);
  if (a === undefined || b === undefined || more.length > 0) throw argumentError(name, expected);
  return [a, b];
}

function makeConstraint(spec: string): Constraint {
  const open = spec.indexOf('(');
  const name = (open === -1 ? spec : spec.slice(0, open)).toLowerCase();
  const argText = open === -1 ? undefined : spec.slice(open + 1, spec.lastIndexOf(')'));
  // Route templates escape literal braces in regex constraints as {{ and }}.
  const args = argText === undefined ? [] : name === 'regex' ? [argText.replace(/\{\{/g, '{').replace(/\}\}/g, '}')] : argText.split(',');
  const INT32 = [-(2n ** 31n), 2n ** 31n - 1n] as const;
  const INT64 = [-(2n ** 63n), 2n ** 63n - 1n] as const;
  switch (name) {
    case 'int':
      return (v) => integerIn(v, INT32[0], INT32[1]);
    case 'long':
      return (v) => integerIn(v, INT64[0], INT64[1]);
    case 'alpha':
      return (v) => /^[a-z]+$/i.test(v);
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'guid':
      return (v) => GUID.test(v);
    case 'double':
    case 'float':
    case 'decimal':
      return (v) => v.trim() !== '' && Number.isFinite(Number(v));
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'required':
      return (v) => v !== '';
    case 'length': {
      if (args.length === 1) {
        const a = oneNumberArg(name, args, '1 or 2');
        return (v) => v.length === a;
      }
      const [a, b] = twoNumberArgs(name, args, '1 or 2');
      return (v) => v.length >= a && v.length <= b;
    }
    case 'minlength': {
      const a = oneNumberArg(name, args);
      return (v) => v.length >= a;
    }
    case 'maxlength': {
      const a = oneNumberArg(name, args);
      return (v) => v.length <= a;
    }
    case 'min': {
      const a = oneNumberArg(name, args);
      return (v) => integerIn(v, INT64[0], INT64[1]) && Number(v) >= a;
    }
    case 'max': {
      const a = oneNumberArg(name, args);
      return (v) => integerIn(v, INT64[0], INT64[1]) && Number(v) <= a;
    }
    case 'range': {
      const [a, b] = twoNumberArgs(name, args);
      return (v) => integerIn(v, INT64[0], INT64[1]) && Number(v) >= a && Number(v) <= b;
    }
    case 'regex': {
      // ASP.NET Core evaluates regex constraints case-insensitively; anchoring is the author's choice.
      const [pattern] = args;
      if (pattern === undefined) throw new Error('Route constraint "regex" expects a pattern: regex(...).');
      const re = new RegExp(pattern, 'i');
      return (v) => re.test(v);
    }
    default:
      throw new Error(`Unknown route constraint "${name}".`);
  }
}

/** Splits "id:int:range(1,5)" on colons that are not inside parentheses: the head ("id") and the constraints. */
function splitConstraints(body: string): { head: string; specs: string[] } {
  let head: string | undefined;
  const specs: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of body) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ':' && depth === 0) {
      if (head === undefined) head = current;
      else specs.push(current);
      current = '';
    } else current += ch;
  }
  if (head === undefined) return { head: current, specs };
  specs.push(current);
  return { head, specs };
}

function parseParameter(body: string): ParameterPart {
  let text = body;
  let catchAll = false;
  if (text.startsWith('**')) {
    catchAll = true;
    text = text.slice(2);
  } else if (text.startsWith('*')) {
    catchAll = true;
    text = text.slice(1);
  }
  let defaultValue: string | undefined;
  const { head, specs: constraintSpecs } = splitConstraints(text);
  let name = head;
  let optional = false;
  // "{p?}" or "{p:int?}": the '?' may sit on the name or after the last constraint.
  const last = constraintSpecs.pop();
  if (last !== undefined) {
    optional = last.endsWith('?');
    constraintSpecs.push(optional ? last.slice(0, -1) : last);
  }
  const eq = name.indexOf('=');
  if (eq !== -1) {
    defaultValue = name.slice(eq + 1);
    name = name.slice(0, eq);
  }
  if (name.endsWith('?')) {
    optional = true;
    name = name.slice(0, -1);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Invalid route parameter name "${name}".`);
  return { kind: 'parameter', name, optional: optional || catchAll, catchAll, defaultValue, constraints: constraintSpecs.filter((s) => s !== '').map(makeConstraint) };
}

function parseSegment(text: string): Segment {
  const parts: Part[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '{') {
      // The parameter ends at the first "}" outside parentheses (regex constraints may contain braces).
      let depth = 0;
      let end = -1;
      for (let j = i + 1; j < text.length; j++) {
        if (text[j] === '(') depth++;
        else if (text[j] === ')') depth--;
        else if (text[j] === '}' && depth === 0) {
          end = j;
          break;
        }
      }
      if (end === -1) throw new Error(`Unbalanced "{" in route segment "${text}".`);
      parts.push(parseParameter(text.slice(i + 1, end)));
      i = end + 1;
    } else {
      const next = text.indexOf('{', i);
      const literal = next === -1 ? text.slice(i) : text.slice(i, next);
      parts.push({ kind: 'literal', text: literal });
      i = next === -1 ? text.length : next;
    }
  }
  const [first, ...more] = parts;
  // ASP.NET Core refuses "a//b" too: a segment must hold something.
  if (first === undefined) throw new Error('A route template cannot have an empty segment ("//").');
  return { parts, single: more.length === 0 ? first : undefined };
}

/** Decodes a path segment the way ASP.NET Core's Request.Path does: everything except %2F. */
export function decodePathSegment(raw: string): string {
  return raw
    .split(/(%2F)/i)
    .map((piece) => {
      if (/^%2F$/i.test(piece)) return piece;
      try {
        return decodeURIComponent(piece);
      } catch {
        return piece;
      }
    })
    .join('');
}

export class RouteTemplate {
  readonly segments: Segment[];
  /** Lower sorts first: literal 1, complex 2, constrained parameter 3, parameter 4, catch-all 5 (ASP.NET inbound precedence). */
  readonly precedence: number[];

  constructor(readonly template: string) {
    const trimmed = template.replace(/^\/+|\/+$/g, '');
    this.segments = trimmed === '' ? [] : trimmed.split('/').map(parseSegment);
    this.precedence = this.segments.map((segment) => {
      const part = segment.single;
      if (part === undefined) return 2;
      if (part.kind === 'literal') return 1;
      if (part.catchAll) return 5;
      return part.constraints.length > 0 ? 3 : 4;
    });
  }

  /** `pathSegments` are raw (still percent-encoded) segments of the path after the route prefix. */
  match(pathSegments: string[]): RouteMatch | undefined {
    const params: Record<string, string> = {};
    const decoded = pathSegments.map(decodePathSegment);
    for (const [i, segment] of this.segments.entries()) {
      const single = segment.single;
      if (single?.kind === 'parameter' && single.catchAll) {
        const rest = decoded.slice(i).join('/');
        if (rest === '' && single.defaultValue === undefined) return { params };
        const value = rest === '' ? (single.defaultValue as string) : rest;
        if (!single.constraints.every((c) => c(value))) return undefined;
        params[single.name] = value;
        return { params };
      }
      const value = decoded[i];
      if (value === undefined) {
        // Missing trailing segments are fine only when every remaining one is an optional parameter or has a default.
        for (const rest of this.segments.slice(i)) {
          const p = rest.single;
          if (p?.kind !== 'parameter' || (!p.optional && p.defaultValue === undefined)) return undefined;
          if (p.defaultValue !== undefined) params[p.name] = p.defaultValue;
        }
        return { params };
      }
      if (single?.kind === 'literal') {
        if (single.text.toLowerCase() !== value.toLowerCase()) return undefined;
        continue;
      }
      if (single?.kind === 'parameter') {
        if (value === '') return undefined;
        if (!single.constraints.every((c) => c(value))) return undefined;
        params[single.name] = value;
        continue;
      }
      const complex = this.#matchComplex(segment, value);
      if (!complex) return undefined;
      Object.assign(params, complex);
    }
    if (decoded.length > this.segments.length) return undefined;
    return { params };
  }

  #matchComplex(segment: Segment, value: string): Record<string, string> | undefined {
    let source = '^';
    const names: ParameterPart[] = [];
    segment.parts.forEach((part, index) => {
      if (part.kind === 'literal') source += part.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      else {
        names.push(part);
        source += index === segment.parts.length - 1 ? '(.+)' : '(.+?)';
      }
    });
    const m = new RegExp(`${source}$`, 'i').exec(value);
    if (!m) return undefined;
    const out: Record<string, string> = {};
    const captures = m.slice(1);
    for (const [k, part] of names.entries()) {
      // One non-optional group per parameter, so each has captured; the check only tells the compiler.
      const captured = captures[k];
      if (captured === undefined || !part.constraints.every((c) => c(captured))) return undefined;
      out[part.name] = captured;
    }
    return out;
  }
}

export function comparePrecedence(a: RouteTemplate, b: RouteTemplate): number {
  const n = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < n; i++) {
    const x = a.precedence[i] ?? 6;
    const y = b.precedence[i] ?? 6;
    if (x !== y) return x - y;
  }
  return 0;
}
