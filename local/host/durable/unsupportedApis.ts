// Durable APIs the local host does not implement (entities, callHttp): refused with a message that names the API
// and points to the README's list of differences, at startup when the app registers an entity, otherwise at first
// use (the orchestrator's action, or the client's call to the entities HTTP API).
import { findTrigger, type FunctionMetadata } from '../rpc/types';
import { ActionType } from './actions';

export const DIFFERENCES = 'see "What it does not implement" under "Local Functions host" in README.md';

/** The durable-functions API behind an action the host does not run, or undefined when it runs it. */
export function unsupportedActionApi(type: ActionType): string | undefined {
  switch (type) {
    case ActionType.CallEntity:
      return 'context.df.callEntity';
    case ActionType.SignalEntity:
      return 'context.df.signalEntity';
    case ActionType.CallHttp:
      return 'context.df.callHttp';
    case ActionType.LockEntities:
    case ActionType.ReleaseEntities:
      return 'context.df.lock (entity critical sections)';
    default:
      return undefined;
  }
}

export function unsupportedActionMessage(orchestratorName: string, api: string): string {
  return `Orchestrator '${orchestratorName}' called ${api}, which the local host does not implement (durable entities and callHttp); ${DIFFERENCES}.`;
}

/** The host's answer to the Durable HTTP API's /entities routes (client.signalEntity, readEntityState, getEntity…). */
export const ENTITY_API_MESSAGE = `Durable entities (client.signalEntity, client.readEntityState, /runtime/webhooks/durabletask/entities) are not implemented by the local host; ${DIFFERENCES}.`;

/** Throws when the app registers a durable entity (df.app.entity): the host could never run it. */
export function refuseEntityFunctions(functions: FunctionMetadata[]): void {
  const entities = functions.filter((f) => findTrigger(f)?.binding.type === 'entityTrigger').map((f) => f.name);
  if (entities.length === 0) return;
  throw new Error(`The app registers durable entities (df.app.entity: ${entities.join(', ')}), which the local host does not implement; ${DIFFERENCES}.`);
}
