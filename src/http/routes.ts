// Routes (relative to host.json's http.routePrefix) and reading route parameters exactly as the caller sent them.
import type { HttpRequest } from '@azure/functions';
import { deviceIdProblem } from '../domain/deviceId';
import { invalid } from '../domain/requestError';
import type { OperationKind } from '../domain/operations/operationKind';

/** Must equal host.json `extensions.http.routePrefix`. */
export const ROUTE_PREFIX = 'api';

export const ROUTE = Object.freeze({
  operationStatus: 'operations/{instanceId}',
  cancelOperation: 'operations/{instanceId}/cancel',
  runningOperations: 'operations',
  deviceOperations: 'devices/{deviceId}/operations',
  statusReport: 'reports/{operation}',
  openApi: 'openapi.json',
  unsubscribeCallback: 'callbacks/unsubscribe',
  subscribeCallback: 'operations/{instanceId}/subscribe',
} as const);

/** The start route of an operation kind: devices/{deviceId}/reboot, …/factoryReset, …/firmwareUpdate. */
export function startRoute(kind: OperationKind): string {
  return `devices/{deviceId}/${kind}`;
}

/**
 * The value of `{name}` in `route`, percent-decoded once. Read from the request URL's path, where the caller's
 * encoding is intact (a device id may itself contain '%', '#' or '?'); the host's already-decoded
 * `request.params` is the fallback when the URL does not have the expected shape (e.g. behind a rewriting proxy).
 */
export function routeParameter(request: HttpRequest, route: string, name: string): string {
  const pattern = new RegExp(`^/${ROUTE_PREFIX}/${route.split('/').map((segment) =>
    segment === `{${name}}` ? '([^/]+)' : /^\{.*\}$/.test(segment) ? '[^/]+' : escapeRegExp(segment)).join('/')}/?$`);
  const match = pattern.exec(new URL(request.url).pathname);
  if (match === null) {
    const value = request.params[name];
    if (value === undefined || value === '') throw invalid(name, `The route parameter ${name} is missing.`);
    return value;
  }
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    throw invalid(name, `The route parameter ${name} is not valid percent-encoding.`);
  }
}

/** The `{deviceId}` route parameter, checked against IoT Hub's device-id rule. */
export function readDeviceId(request: HttpRequest, route: string): string {
  const deviceId = routeParameter(request, route, 'deviceId');
  const problem = deviceIdProblem(deviceId);
  if (problem !== undefined) throw invalid('deviceId', problem);
  return deviceId;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
