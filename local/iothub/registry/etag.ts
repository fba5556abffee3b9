// ETags of device identities and the If-Match rules (RFC 7232 as IoT Hub applies it: `*` matches any version,
// quotes are optional on the way in).

// Seeded from the clock so etags from one process never repeat across emulator restarts.
let identityEtagCounter = Date.now();

/** A fresh identity etag: base64 of a decimal counter, the shape the service returns (e.g. "MTY4NzYyOTY0"). */
export function nextIdentityEtag(): string {
  identityEtagCounter += 1;
  return Buffer.from(String(identityEtagCounter)).toString('base64');
}

export function unquoteEtag(value: string): string {
  const trimmed = value.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

export function quoteEtag(etag: string): string {
  return `"${etag}"`;
}

/** True when the request's If-Match allows a write to a resource whose current etag is `current`. */
export function ifMatchAllows(ifMatch: string | undefined, current: string): boolean {
  if (ifMatch === undefined || ifMatch.trim() === '') return true;
  const wanted = unquoteEtag(ifMatch);
  return wanted === '*' || wanted === current;
}
