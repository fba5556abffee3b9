// Span attribute names for device operations. Application Insights shows span attributes as customDimensions,
// so these are the dimensions to filter on. Its operation_Id (the trace id) ties them to the host's request.
export const ATTR = Object.freeze({
  functionName: 'faas.name',
  invocationId: 'faas.invocation_id',
  trigger: 'faas.trigger',
  deviceId: 'iot.device.id',
  instanceId: 'iot.operation.instance_id',
  operation: 'iot.operation.kind',
  phase: 'iot.operation.phase',
  outcome: 'iot.operation.outcome',
  methodResult: 'iot.direct_method.result',
  methodStatus: 'iot.direct_method.status',
  errorType: 'error.type',
} as const);
