// The registry of operation kinds: the one place that knows which kinds exist.
import { FACTORY_RESET } from './factoryReset';
import { FIRMWARE_UPDATE } from './firmwareUpdate';
import type { OperationDefinition } from './operationDefinition';
import { OPERATION_KINDS, type OperationKind } from './operationKind';
import { REBOOT } from './reboot';

export const OPERATIONS: Readonly<Record<OperationKind, OperationDefinition>> = Object.freeze({
  reboot: REBOOT,
  factoryReset: FACTORY_RESET,
  firmwareUpdate: FIRMWARE_UPDATE,
});

export function operationDefinition(kind: OperationKind): OperationDefinition {
  return OPERATIONS[kind];
}

export function allOperations(): OperationDefinition[] {
  return OPERATION_KINDS.map((kind) => OPERATIONS[kind]);
}

export { OPERATION_KINDS, isOperationKind, type OperationKind } from './operationKind';
export type { OperationDefinition } from './operationDefinition';
export type { Verdict } from './verdict';
