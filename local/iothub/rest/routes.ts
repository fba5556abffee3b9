// The service REST surface the emulator implements, with the permission each operation needs
// (iot-hub-dev-guide-sas.md: RegistryRead/RegistryWrite for identities, ServiceConnect for twins, queries, methods).
import { bulkRegistryOperation, deleteDevice, getDevice, listDevices, putDevice } from './devicesHandler';
import { cancelJob, createJob, getJob, queryJobs } from './jobsHandler';
import { invokeMethod } from './methodsHandler';
import { queryDevices } from './queryHandler';
import type { Route } from './restTypes';
import { getDeviceStatistics } from './statisticsHandler';
import { getTwin, patchTwin, replaceTwin } from './twinsHandler';

export const SERVICE_ROUTES: readonly Route[] = [
  { method: 'POST', path: ['devices', 'query'], permissions: ['ServiceConnect'], handle: queryDevices },
  { method: 'GET', path: ['devices'], permissions: ['RegistryRead'], handle: listDevices },
  { method: 'POST', path: ['devices'], permissions: ['RegistryWrite'], handle: bulkRegistryOperation },
  { method: 'PUT', path: ['devices', ':id'], permissions: ['RegistryWrite'], handle: putDevice },
  { method: 'GET', path: ['devices', ':id'], permissions: ['RegistryRead'], handle: getDevice },
  { method: 'DELETE', path: ['devices', ':id'], permissions: ['RegistryWrite'], handle: deleteDevice },
  { method: 'GET', path: ['statistics', 'devices'], permissions: ['RegistryRead'], handle: getDeviceStatistics },
  { method: 'GET', path: ['twins', ':id'], permissions: ['ServiceConnect'], handle: getTwin },
  { method: 'PATCH', path: ['twins', ':id'], permissions: ['ServiceConnect'], handle: patchTwin },
  { method: 'PUT', path: ['twins', ':id'], permissions: ['ServiceConnect'], handle: replaceTwin },
  { method: 'POST', path: ['twins', ':id', 'methods'], permissions: ['ServiceConnect'], handle: invokeMethod },
  // Jobs act on twins and direct methods, which need ServiceConnect [inference: the SAS permission table does not
  // list jobs separately].
  { method: 'GET', path: ['jobs', 'v2', 'query'], permissions: ['ServiceConnect'], handle: queryJobs },
  { method: 'PUT', path: ['jobs', 'v2', ':id'], permissions: ['ServiceConnect'], handle: createJob },
  { method: 'GET', path: ['jobs', 'v2', ':id'], permissions: ['ServiceConnect'], handle: getJob },
  { method: 'POST', path: ['jobs', 'v2', ':id', 'cancel'], permissions: ['ServiceConnect'], handle: cancelJob },
];

export interface RouteMatch {
  route: Route;
  params: string[];
}

/** `segments` are already URL-decoded. Literal segments win over parameters (POST /devices/query). */
export function matchRoute(routes: readonly Route[], method: string, segments: readonly string[]): RouteMatch | undefined {
  for (const route of routes) {
    if (route.method !== method || route.path.length !== segments.length) continue;
    const params: string[] = [];
    const matches = route.path.every((part, i) => {
      const segment = segments[i];
      if (segment === undefined) return false;
      if (part.startsWith(':')) {
        params.push(segment);
        return segment.length > 0;
      }
      return part === segment;
    });
    if (matches) return { route, params };
  }
  return undefined;
}
