// The HTTPS admin API, under /_emulator/ and guarded by the `x-emulator-admin-key` header (401 without it):
//   POST   /_emulator/devices                {"deviceIds":[…],"tags"?:{…}} → 200 {"created":n}
//   POST   /_emulator/reset                  → 204
//   PUT    /_emulator/faults/devices/{id}    DeviceFault → 204        DELETE → 204
//   PUT    /_emulator/faults/hub             HubFault → 204           DELETE → 204
//   GET    /_emulator/telemetry[?deviceId=]  → [{deviceId, body (base64), properties, systemProperties, enqueuedTime}]
//   GET    /_emulator/counters               → {"methodInvocations":n,…}
import { timingSafeEqual } from 'node:crypto';
import { hubErrors } from '../errors';
import type { RestRequest, RestResult } from '../rest/restTypes';
import { header } from '../rest/restTypes';
import type { DeviceFault, EmulatorAdmin, HubFault } from '../types';
import { isJsonObject } from '../twin/json';

export const ADMIN_KEY_HEADER = 'x-emulator-admin-key';

function keyMatches(presented: string | undefined, adminKey: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(adminKey, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createAdminRequestHandler(admin: EmulatorAdmin, adminKey: string) {
  return async (request: RestRequest & { segments: readonly string[] }): Promise<RestResult> => {
    if (!keyMatches(header(request, ADMIN_KEY_HEADER), adminKey)) {
      throw hubErrors.unauthorized(`Unauthorized: the admin API needs the ${ADMIN_KEY_HEADER} header.`);
    }
    const { method, segments, body } = request;
    // faults/devices/{id} is the one route with a parameter.
    const [area, scope, deviceId, ...more] = segments;
    if (area === 'faults' && scope === 'devices' && deviceId !== undefined && more.length === 0) {
      if (method === 'PUT') {
        admin.setFault(deviceId, body as DeviceFault);
        return { status: 204 };
      }
      if (method === 'DELETE') {
        admin.setFault(deviceId, null);
        return { status: 204 };
      }
    }
    switch (`${method} ${segments.join('/')}`) {
      case 'POST devices': {
        if (!isJsonObject(body) || !Array.isArray(body.deviceIds) || !body.deviceIds.every((id) => typeof id === 'string')) {
          throw hubErrors.argumentInvalid('The body must be {"deviceIds":["…"],"tags"?:{…}}.');
        }
        const tags = body.tags === undefined ? undefined : (body.tags as object);
        await admin.createDevices(body.deviceIds as string[], tags === undefined ? undefined : { tags });
        return { status: 200, body: { created: body.deviceIds.length } };
      }
      case 'POST reset':
        admin.reset();
        return { status: 204 };
      case 'PUT faults/hub':
        admin.setHubFault(body as HubFault);
        return { status: 204 };
      case 'DELETE faults/hub':
        admin.setHubFault(null);
        return { status: 204 };
      case 'GET telemetry': {
        const deviceId = request.query.get('deviceId') ?? undefined;
        const messages = admin.telemetry(deviceId).map((m) => ({ ...m, body: m.body.toString('base64') }));
        return { status: 200, body: messages };
      }
      case 'GET counters':
        return { status: 200, body: admin.counters() };
      default:
        throw hubErrors.unsupported(method, `/_emulator/${segments.join('/')}`);
    }
  };
}
