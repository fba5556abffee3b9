// Which store failures mean "storage is unavailable right now" (retry later, reload when it is back)
// rather than "this request is wrong" (counts against the instance as a poison attempt).
import { RestError } from '@azure/data-tables';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'REQUEST_SEND_ERROR', 'UND_ERR_SOCKET']);

export function isStorageUnavailable(err: unknown): boolean {
  if (err instanceof RestError) {
    const status = err.statusCode;
    // No status: the request never got an answer (connection refused or reset).
    return status === undefined || status === 0 || status === 408 || status === 429 || status >= 500;
  }
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

/** One line for logs: the error's name and message without the stack. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.split('\n')[0]}`;
  return String(err);
}
