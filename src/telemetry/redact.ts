// Scrubs secrets out of telemetry text: function keys and SAS signatures in URLs, account and policy keys in
// connection strings, bearer tokens. Telemetry may leave the app (Application Insights), so it is scrubbed even
// though the app never puts a secret into an attribute itself.
const SECRET_QUERY = /([?&](?:code|sig|token|access_token|key|api-key|apikey|x-functions-key)=)[^&#\s"']*/gi;
const SECRET_PAIR = /((?:AccountKey|SharedAccessKey|SharedAccessSignature|Password|ClientSecret)=)[^;\s"']*/gi;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;

export const REDACTED = '[REDACTED]';

export function redactSecrets(text: string): string {
  return text.replace(SECRET_QUERY, `$1${REDACTED}`).replace(SECRET_PAIR, `$1${REDACTED}`).replace(BEARER, `$1${REDACTED}`);
}
