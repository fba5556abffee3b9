// Claims-based security (AMQP CBS, as Event Hubs implements it): a client sends `put-token` to `$cbs` with a SAS
// token for an audience (`sb://<host>/<hub>/ConsumerGroups/<cg>/Partitions/<n>`), and may then attach links under
// that audience on the same connection until the token expires. The built-in endpoint accepts tokens signed with a
// hub shared access policy that has ServiceConnect (iothubowner, service), as IoT Hub does
// (azure-docs iot-hub-devguide-messages-read-builtin.md).
import type { SharedAccessPolicies } from '../sas/policies';
import { parseSasToken } from '../sas/token';
import { verifySasToken } from '../sas/verify';

export type PutTokenResult =
  | { ok: true; entityPath: string; expiresAtMs: number }
  | { ok: false; status: 400 | 401 | 404; description: string };

/** The entity path of an audience URI, lower case, without slashes at either end. */
export function entityPathOf(audience: string): string | undefined {
  try {
    const url = new URL(audience);
    return decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '').toLowerCase();
  } catch {
    return undefined;
  }
}

export function verifyPutToken(policies: SharedAccessPolicies, hubName: string, audience: unknown, token: unknown, nowMs: number): PutTokenResult {
  if (typeof audience !== 'string' || typeof token !== 'string') {
    return { ok: false, status: 400, description: 'put-token needs a string name (audience) and a string body (token).' };
  }
  const entityPath = entityPathOf(audience);
  const hub = hubName.toLowerCase();
  if (entityPath === undefined) return { ok: false, status: 400, description: 'The audience is not a URI.' };
  if (entityPath !== hub && !entityPath.startsWith(`${hub}/`)) {
    return { ok: false, status: 404, description: `The messaging entity '${entityPath}' could not be found.` };
  }
  const parsed = parseSasToken(token);
  const policy = parsed?.keyName === undefined ? undefined : policies.get(parsed.keyName);
  // One answer for every refusal, so a caller cannot probe which part was wrong.
  const refused = { ok: false, status: 401, description: 'InvalidSignature: The token has an invalid signature.' } as const;
  if (!parsed || !policy || !policy.permissions.has('ServiceConnect')) return refused;
  if (verifySasToken(parsed, policy.key, [audience.replace(/\/+$/, '')], nowMs, 'utf8') !== undefined) return refused;
  return { ok: true, entityPath, expiresAtMs: Number(parsed.expiry) * 1000 };
}

/** The claims granted on one AMQP connection. */
export class ConnectionClaims {
  private readonly granted = new Map<string, number>();

  grant(entityPath: string, expiresAtMs: number): void {
    this.granted.set(entityPath, Math.max(expiresAtMs, this.granted.get(entityPath) ?? 0));
  }

  /** True when an unexpired claim covers the address, segment by segment. */
  covers(address: string, nowMs: number): boolean {
    const target = address.replace(/^\/+|\/+$/g, '').toLowerCase();
    for (const [path, expiresAtMs] of this.granted) {
      if (expiresAtMs > nowMs && (target === path || target.startsWith(`${path}/`))) return true;
    }
    return false;
  }
}
