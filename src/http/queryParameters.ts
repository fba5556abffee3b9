// Query parameters read from the request URL as the caller sent it (hosts may join a repeated parameter with a
// comma): unknown names and repeated parameters are the caller's 400.
import type { HttpRequest } from '@azure/functions';
import { invalid } from '../domain/requestError';
import { printable } from '../domain/text';

/** `code` carries the function key and is allowed everywhere (once). */
const FUNCTION_KEY_PARAMETER = 'code';

export function readQuery(request: HttpRequest, allowed: readonly string[]): URLSearchParams {
  const params = new URL(request.url).searchParams;
  for (const name of new Set(params.keys())) {
    if (name !== FUNCTION_KEY_PARAMETER && !allowed.includes(name)) {
      const list = allowed.length === 0 ? 'none' : allowed.join(', ');
      throw invalid(printable(name), `Unknown query parameter '${printable(name)}'. Allowed: ${list}.`);
    }
    if (params.getAll(name).length > 1) throw invalid(name, `The query parameter ${name} may be given only once.`);
  }
  return params;
}

/** An optional integer parameter within [min, max]. */
export function integerParameter(params: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const text = params.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!/^\d{1,9}$/.test(text) || value < min || value > max) throw invalid(name, `${name} must be an integer from ${min} to ${max}.`);
  return value;
}
