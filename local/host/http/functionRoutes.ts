// The route table of HTTP-triggered functions: route template (default: the function name), methods,
// auth level and the names of the bindings the host must fill.
import type { HostLog } from '../log';
import { findTrigger, type FunctionMetadata } from '../rpc/types';
import { normalizeAuthLevel, type AuthLevel } from './auth';
import { comparePrecedence, RouteTemplate } from './routeTemplate';

export interface FunctionRoute {
  functionName: string;
  functionId: string;
  template: RouteTemplate;
  /** Upper-case; undefined means every method. */
  methods: string[] | undefined;
  authLevel: AuthLevel;
  triggerBinding: string;
  durableClientBindings: string[];
}

export function buildRouteTable(functions: FunctionMetadata[], log: HostLog): FunctionRoute[] {
  const routes: FunctionRoute[] = [];
  for (const metadata of functions) {
    const trigger = findTrigger(metadata);
    if (!trigger || String(trigger.binding.type).toLowerCase() !== 'httptrigger') continue;
    const binding = trigger.binding;
    const route = typeof binding.route === 'string' && binding.route !== '' ? binding.route : metadata.name;
    let template: RouteTemplate;
    try {
      template = new RouteTemplate(route);
    } catch (err) {
      log({ level: 'error', category: 'host', message: `Function '${metadata.name}' has an invalid route "${route}": ${(err as Error).message}` });
      continue;
    }
    const methods = Array.isArray(binding.methods) && binding.methods.length > 0 ? (binding.methods as string[]).map((m) => m.toUpperCase()) : undefined;
    const durableClientBindings = Object.entries(metadata.bindings)
      .filter(([, b]) => b.direction === 'in' && (b.type === 'durableClient' || b.type === 'orchestrationClient'))
      .map(([name]) => name);
    for (const [name, b] of Object.entries(metadata.bindings)) {
      if (b.direction === 'in' && name !== trigger.name && !durableClientBindings.includes(name)) {
        log({ level: 'warning', category: 'host', message: `Function '${metadata.name}': input binding type "${String(b.type)}" is not provided by this local host.` });
      }
    }
    routes.push({
      functionName: metadata.name,
      functionId: metadata.functionId ?? metadata.name,
      template,
      methods,
      authLevel: normalizeAuthLevel(binding.authLevel),
      triggerBinding: trigger.name,
      durableClientBindings,
    });
  }
  return routes.sort((a, b) => comparePrecedence(a.template, b.template));
}

/**
 * The best route whose template and method both match. A template match with the wrong method is
 * simply no match: the Functions host answers 404 there, not 405 (Azure/azure-functions-host#10098).
 */
export function matchRoute(routes: FunctionRoute[], method: string, segments: string[]): { route: FunctionRoute; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.methods && !route.methods.includes(method.toUpperCase())) continue;
    const match = route.template.match(segments);
    if (match) return { route, params: match.params };
  }
  return undefined;
}
