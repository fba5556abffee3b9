// Function names as registered in functions/ and called from the orchestrator: one list so they cannot drift.
export const FUNCTION = Object.freeze({
  startReboot: 'startReboot',
  rebootOrchestrator: 'rebootDevice',
  invokeRebootMethod: 'invokeRebootMethod',
  readRebootState: 'readRebootState',
  recordOperation: 'recordOperation',
  getOperationStatus: 'getOperationStatus',
  listDeviceOperations: 'listDeviceOperations',
  getRebootReport: 'getRebootReport',
  getOpenApiDocument: 'getOpenApiDocument',
} as const);
