// One log line per transition of an operation (started, method accepted/refused, device progress, outcome), as
// JSON so a console or a log query can read it back. Ids and outcomes only: never a payload, a key or a URL.
import type { InvocationContext } from '@azure/functions';
import type { OperationKind } from '../domain/operations/operationKind';

export const TRANSITION_EVENT = 'deviceOperation';

export interface TransitionFields {
  instanceId: string;
  deviceId: string;
  operation: OperationKind;
  transition: string;
  [detail: string]: unknown;
}

export function logTransition(context: Pick<InvocationContext, 'info'>, fields: TransitionFields): void {
  context.info(JSON.stringify({ event: TRANSITION_EVENT, ...fields }));
}
