// Routes of the rollout API and the URLs handed back to callers (with the caller's key, as for operations).
import type { HttpRequest } from '@azure/functions';
import { checkRolloutId } from '../domain/rollouts/rolloutIds';
import { appUrl } from './functionKey';
import { routeParameter } from './routes';

export const ROLLOUT_ROUTE = Object.freeze({
  rollouts: 'rollouts',
  rollout: 'rollouts/{rolloutId}',
  devices: 'rollouts/{rolloutId}/devices',
  cancel: 'rollouts/{rolloutId}/cancel',
  pause: 'rollouts/{rolloutId}/pause',
  resume: 'rollouts/{rolloutId}/resume',
} as const);

export function readRolloutId(request: HttpRequest, route: string): string {
  return checkRolloutId(routeParameter(request, route, 'rolloutId'));
}

export function rolloutUrls(request: HttpRequest, rolloutId: string): Record<'statusUrl' | 'devicesUrl' | 'cancelUrl' | 'pauseUrl' | 'resumeUrl', string> {
  return {
    statusUrl: appUrl(request, `rollouts/${rolloutId}`),
    devicesUrl: appUrl(request, `rollouts/${rolloutId}/devices`),
    cancelUrl: appUrl(request, `rollouts/${rolloutId}/cancel`),
    pauseUrl: appUrl(request, `rollouts/${rolloutId}/pause`),
    resumeUrl: appUrl(request, `rollouts/${rolloutId}/resume`),
  };
}
