// Function names as registered in functions/ and called from the orchestrator: one list so they cannot drift.
// Activity names live with their contracts (activities/contracts.ts).
import type { OperationKind } from './domain/operations/operationKind';

export const FUNCTION = Object.freeze({
  deviceOperationOrchestrator: 'deviceOperation',
  getOperationStatus: 'getOperationStatus',
  cancelOperation: 'cancelOperation',
  listRunningOperations: 'listRunningOperations',
  listDeviceOperations: 'listDeviceOperations',
  getStatusReport: 'getStatusReport',
  getOpenApiDocument: 'getOpenApiDocument',
  unsubscribeCallback: 'unsubscribeCallback',
  subscribeCallback: 'subscribeCallback',
  sweepCallbacks: 'sweepCallbacks',
  callbackDeliveryOrchestrator: 'callbackDelivery',
  getOperationsPage: 'getOperationsPage',
  getOperationsPageScript: 'getOperationsPageScript',
  twinChangeEvents: 'twinChangeEvents',
} as const);

/** The start function of each kind: startReboot, startFactoryReset, startFirmwareUpdate. */
export function startFunctionName(kind: OperationKind): string {
  return `start${kind[0]!.toUpperCase()}${kind.slice(1)}`;
}
