// The app's HTTP API as a caller sees it, limited to the contract the new core keeps (issue 8):
//   POST /api/devices/{deviceId}/{operation}  → 202, Location = status URL, body { instanceId, deviceId, operation, statusUrl }
//   GET  status URL                            → 202 while running (Retry-After), 200 with `outcome` when over
//   GET  /api/devices/{deviceId}/operations    → { operations: [{ instanceId, outcome, … }] }
// The function key goes in `?code=`. A restarted host has new keys, so URLs can be re-keyed.

export type OperationKind = 'reboot' | 'factoryReset' | 'firmwareUpdate';

/** Outcomes with a definite meaning; any other outcome counts as "uncertain" (the new core: DeliveryUnconfirmed). */
export const DEFINITE_OUTCOMES = ['Succeeded', 'Failed', 'TimedOut', 'Rejected', 'DeviceOffline', 'DeviceNotFound', 'Canceled'] as const;

export function isUncertainOutcome(outcome: string): boolean {
  return !(DEFINITE_OUTCOMES as readonly string[]).includes(outcome);
}

export interface StartedOperation {
  deviceId: string;
  instanceId: string;
  operation: string;
  /** The Location header. */
  location: string;
  statusUrl: string;
}

export interface HistoryRow {
  instanceId: string;
  outcome: string | null;
  [field: string]: unknown;
}

export interface FinalStatus {
  /** 200 once over; otherwise the last status seen before the deadline (0: no answer). */
  httpStatus: number;
  outcome: string | null;
  body: Record<string, unknown> | null;
  polls: number;
}

/** The request body for an operation kind; firmwareUpdate needs an https package URI. */
export function operationBody(kind: OperationKind, timing: Record<string, number>): Record<string, unknown> {
  return kind === 'firmwareUpdate' ? { ...timing, payload: { fwPackageUri: 'https://firmware.example.com/pkg-2.0.1.bin' } } : { ...timing };
}

/** `url` with its `code` query parameter set to `key`. */
export function withKey(url: string, key: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('code', key);
  return parsed.toString();
}

/** `url` moved to another origin (a host restarted on another port), path and query kept. */
export function withOrigin(url: string, baseUrl: string): string {
  const parsed = new URL(url);
  const base = new URL(baseUrl);
  parsed.protocol = base.protocol;
  parsed.host = base.host;
  return parsed.toString();
}

/** Bound on any single request: a host that hangs must fail the test, not stall it. */
const REQUEST_TIMEOUT_MS = 60_000;

function retryAfterMs(header: string | null, fallbackMs: number): number {
  if (header !== null && /^\d+$/.test(header.trim())) return Math.min(Number(header.trim()) * 1000, 10_000);
  return fallbackMs;
}

async function bodyOf(response: Response): Promise<Record<string, unknown> | null> {
  const text = await response.text();
  if (text === '') return null;
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { text };
  }
}

export class AppClient {
  constructor(public baseUrl: string, public functionKey: string) {}

  private url(pathAndQuery: string): string {
    const sep = pathAndQuery.includes('?') ? '&' : '?';
    return `${this.baseUrl}/api/${pathAndQuery}${sep}code=${encodeURIComponent(this.functionKey)}`;
  }

  /** POST /api/devices/{id}/{kind}; throws unless 202 with the contract's Location and body. */
  async start(kind: OperationKind, deviceId: string, body: Record<string, unknown>): Promise<StartedOperation> {
    const response = await fetch(this.url(`devices/${encodeURIComponent(deviceId)}/${kind}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const json = await bodyOf(response);
    if (response.status !== 202) throw new Error(`POST ${kind} for ${deviceId}: ${response.status} ${JSON.stringify(json)}`);
    const location = response.headers.get('location');
    const instanceId = json?.instanceId;
    if (!location || typeof instanceId !== 'string' || typeof json?.statusUrl !== 'string') {
      throw new Error(`POST ${kind} for ${deviceId}: 202 without Location/instanceId/statusUrl: ${JSON.stringify(json)}`);
    }
    return { deviceId, instanceId, operation: String(json.operation), location, statusUrl: json.statusUrl };
  }

  /** One GET of a status URL (re-keyed with this client's key unless `asIs`). */
  async statusOnce(statusUrl: string, asIs = false): Promise<{ httpStatus: number; body: Record<string, unknown> | null; retryAfter: string | null }> {
    const response = await fetch(asIs ? statusUrl : withKey(withOrigin(statusUrl, this.baseUrl), this.functionKey),
      { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    return { httpStatus: response.status, body: await bodyOf(response), retryAfter: response.headers.get('retry-after') };
  }

  /**
   * Follows many status URLs at once, one request at a time: each URL is asked again once its Retry-After has
   * passed (the API's contract), errors and 5xx after a second, until every one answered 200 (or 401/404) or
   * `deadline` (epoch ms) passed. One request at a time keeps the polling from competing with the operations
   * themselves on a loaded machine (50 pollers at once were a large share of the host's work).
   */
  async awaitAllFinal(statusUrls: readonly string[], deadline: number): Promise<FinalStatus[]> {
    const polling = statusUrls.map((url) => {
      const result: FinalStatus = { httpStatus: 0, outcome: null, body: null, polls: 0 };
      return { url, due: 0, result };
    });
    const open = new Set(polling);
    while (open.size > 0 && Date.now() < deadline) {
      const now = Date.now();
      let polled = false;
      for (const operation of [...open]) {
        if (operation.due > now || Date.now() >= deadline) continue;
        polled = true;
        let waitMs = 1000;
        const polls = operation.result.polls + 1;
        try {
          const { httpStatus, body, retryAfter } = await this.statusOnce(operation.url);
          operation.result = { httpStatus, outcome: typeof body?.outcome === 'string' ? body.outcome : null, body, polls };
          if (httpStatus === 200 || httpStatus === 401 || httpStatus === 404) open.delete(operation);
          else if (httpStatus === 202) waitMs = retryAfterMs(retryAfter, 1000);
        } catch {
          operation.result = { ...operation.result, polls };
        }
        operation.due = Date.now() + waitMs;
      }
      if (!polled && open.size > 0) {
        const next = Math.min(...[...open].map((operation) => operation.due), deadline);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
      }
    }
    return polling.map((operation) => operation.result);
  }

  /** GET /api/devices/{id}/operations (one page of up to 100). */
  async history(deviceId: string): Promise<HistoryRow[]> {
    const response = await fetch(this.url(`devices/${encodeURIComponent(deviceId)}/operations?top=100`),
      { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const json = await bodyOf(response);
    if (response.status !== 200 || !Array.isArray(json?.operations)) {
      throw new Error(`GET history of ${deviceId}: ${response.status} ${JSON.stringify(json)}`);
    }
    return json.operations as HistoryRow[];
  }
}
