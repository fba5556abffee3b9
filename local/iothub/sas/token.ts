// Parsing of `SharedAccessSignature sr=…&sig=…&se=…[&skn=…]` (azure-docs iot-hub-dev-guide-sas.md "Security token structure").
// Fields are kept exactly as sent: the HMAC covers `sr` as it appears in the token (the service SDK sends the host raw,
// the device SDK sends it URL-encoded), so nothing is normalised before verification.

export interface SasToken {
  /** `sr` exactly as sent. */
  resourceUri: string;
  /** `sig` exactly as sent (URL-encoded base64). */
  signature: string;
  /** `se` exactly as sent (decimal seconds since the epoch). */
  expiry: string;
  /** `skn`, when the token was signed with a shared access policy rather than a device key. */
  keyName?: string;
}

const PREFIX = 'SharedAccessSignature ';

/** Returns undefined for anything that is not a well-formed token (the caller answers 401). */
export function parseSasToken(value: string | undefined): SasToken | undefined {
  if (!value || !value.startsWith(PREFIX)) return undefined;
  const fields = new Map<string, string>();
  for (const pair of value.slice(PREFIX.length).trim().split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return undefined;
    const name = pair.slice(0, eq);
    if (fields.has(name)) return undefined;
    fields.set(name, pair.slice(eq + 1));
  }
  const resourceUri = fields.get('sr');
  const signature = fields.get('sig');
  const expiry = fields.get('se');
  if (!resourceUri || !signature || !expiry || !/^\d+$/.test(expiry)) return undefined;
  const keyName = fields.get('skn');
  return keyName === undefined ? { resourceUri, signature, expiry } : { resourceUri, signature, expiry, keyName };
}

/** The resource URI decoded and lower-cased, as IoT Hub compares it (`sr` is a lower-case URL-encoded URI). */
export function decodedResource(token: SasToken): string | undefined {
  try {
    return decodeURIComponent(token.resourceUri).toLowerCase().replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}
