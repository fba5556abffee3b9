// Reads a JSON request body strictly, turning every problem into the caller's 4xx before anything else runs:
// size, media type (only application/json, charset utf-8 if any), UTF-8 validity, nesting depth and keys that
// JavaScript treats as special. The checks run on the raw text, so no hostile body reaches JSON.parse's
// recursion or the code's objects.
import type { HttpRequest } from '@azure/functions';
import { RequestError, invalid } from '../domain/requestError';

/** Objects and arrays nested deeper than this are refused (the app's bodies need three levels). */
export const MAX_JSON_DEPTH = 32;

/** Keys that change an object's prototype when assigned; refused wherever they appear. */
const SPECIAL_KEYS = new Set(['__proto__']);

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** `undefined` when there is no body (or only whitespace). */
export async function readJsonBody(request: HttpRequest, maxBytes: number): Promise<unknown> {
  const tooLarge = (): RequestError =>
    new RequestError('tooLarge', 'PayloadTooLarge', `The request body must not exceed ${maxBytes} bytes.`, 'body');
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.length > maxBytes) throw tooLarge();
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw invalid('body', 'The request body is not valid UTF-8.');
  }
  if (text.trim() === '') return undefined;
  checkMediaType(request.headers.get('content-type'));
  checkDepth(text);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw invalid('body', 'The request body is not valid JSON.');
  }
  const special = findSpecialKey(value, 'body');
  if (special !== undefined) throw invalid(special, `The key '__proto__' is not allowed anywhere in the body.`);
  return value;
}

/** `application/json`, optionally with `charset=utf-8`; nothing else is JSON here (not `+json`, not json-seq). */
function checkMediaType(header: string | null): void {
  const unsupported = (): RequestError =>
    new RequestError('unsupportedMediaType', 'UnsupportedMediaType', 'The request body must be JSON sent as Content-Type: application/json (charset utf-8).', 'Content-Type');
  if (header === null) throw unsupported();
  const [type, ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') throw unsupported();
  for (const parameter of parameters) {
    if (parameter === '') continue;
    const [name, value] = parameter.split('=').map((part) => part.trim().replace(/^"|"$/g, ''));
    if (name !== 'charset' || (value !== 'utf-8' && value !== 'utf8')) throw unsupported();
  }
}

/** Counts brackets outside string literals; refuses before parsing anything nested deeper than MAX_JSON_DEPTH. */
function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
      continue;
    }
    if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) throw invalid('body', `The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
}

/** The path of the first special key in a parsed value (depth is already bounded), or undefined. */
function findSpecialKey(value: unknown, path: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findSpecialKey(value[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (SPECIAL_KEYS.has(key)) return path === 'body' ? key : `${path}.${key}`;
    const found = findSpecialKey((value as Record<string, unknown>)[key], path === 'body' ? key : `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
