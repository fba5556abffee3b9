// Reads a JSON request body with a size limit, turning every problem into the caller's 4xx.
import type { HttpRequest } from '@azure/functions';
import { RequestError, invalid } from '../domain/requestError';

/** `undefined` when there is no body (or only whitespace). */
export async function readJsonBody(request: HttpRequest, maxBytes: number): Promise<unknown> {
  const tooLarge = (): RequestError =>
    new RequestError(413, 'PayloadTooLarge', `The request body must not exceed ${maxBytes} bytes.`, 'body');
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > maxBytes) throw tooLarge();
  const text = bytes.toString('utf8');
  if (text.trim() === '') return undefined;
  const contentType = request.headers.get('content-type');
  if (contentType !== null && !/^application\/([a-z0-9.+-]+\+)?json\b/i.test(contentType.trim())) {
    throw new RequestError(415, 'UnsupportedMediaType', 'The request body must be JSON (Content-Type: application/json).', 'Content-Type');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('body', 'The request body is not valid JSON.');
  }
}
