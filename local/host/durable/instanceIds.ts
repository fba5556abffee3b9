// Instance and execution ids as the extension and DTFx make and check them.
// DurableClient.StartNewAsync: a missing id becomes Guid.NewGuid().ToString("N") (32 hex digits); an id
// must not start with '@', contain / \ # ? or control characters, or exceed 256 characters. DTFx
// execution ids are "N"-format GUIDs too.
import { createHash, randomUUID } from 'node:crypto';

export const MAX_INSTANCE_ID_LENGTH = 256;

/** A new "N"-format GUID: 32 lowercase hex digits. */
export function newGuidN(): string {
  return randomUUID().replace(/-/g, '');
}

/** A stable "N"-format GUID derived from text, so a re-run of an interrupted episode reuses the same id. */
export function deterministicGuidN(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  // Version 5 / RFC 4122 variant bits, like a name-based GUID.
  return `${h.slice(0, 12)}5${h.slice(13, 16)}${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 32)}`;
}

/** The ArgumentException the extension throws for a bad instance id (HTTP API: 400). */
export class InvalidInstanceIdError extends Error {
  readonly exceptionType = 'System.ArgumentException';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInstanceIdError';
  }
}

function isControl(code: number): boolean {
  // .NET char.IsControl: U+0000-U+001F and U+007F-U+009F.
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/**
 * Throws InvalidInstanceIdError with the extension's exception message. The extension passes its text as
 * the paramName of ArgumentException(message: "instanceId", paramName: text), so .NET formats the message
 * as "instanceId (Parameter '<text>')"; the length check uses the one-argument constructor.
 */
export function validateInstanceId(instanceId: string): void {
  if (instanceId.startsWith('@')) throw new InvalidInstanceIdError("instanceId (Parameter 'Orchestration instance ids must not start with @.')");
  for (const ch of instanceId) {
    if (ch === '/' || ch === '\\' || ch === '#' || ch === '?' || isControl(ch.charCodeAt(0))) {
      throw new InvalidInstanceIdError("instanceId (Parameter 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.')");
    }
  }
  if (instanceId.length > MAX_INSTANCE_ID_LENGTH) throw new InvalidInstanceIdError(`Instance ID lengths must not exceed ${MAX_INSTANCE_ID_LENGTH} characters.`);
}
