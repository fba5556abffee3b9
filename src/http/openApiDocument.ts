// GET /api/openapi.json: an OpenAPI 2.0 (Swagger) description of the API, the version Logic Apps custom
// connectors import. Host and scheme are those the document was requested on.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { DEVICE_ID_MAX_LENGTH } from '../domain/deviceId';
import { MAX_FW_PACKAGE_URI_LENGTH } from '../domain/operations/firmwareUpdate';
import { allOperations } from '../domain/operations/registry';
import { DELIVERIES, OUTCOMES } from '../domain/outcomes';
import { MAX_METHOD_PAYLOAD_BYTES, OPERATION_REQUEST_FIELDS } from '../domain/operationRequest';
import { CALLBACK_STATUSES } from '../domain/callbacks/callbackStatus';
import { MAX_CALLBACK_URL_LENGTH } from '../domain/callbacks/callbackUrl';
import { CANCEL_NOTE } from './cancelOperation';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './listRunningOperations';
import { json } from './responses';
import { ROUTE_PREFIX } from './routes';
import { rolloutDefinitions, rolloutPaths } from './rolloutOpenApi';

const DEVICE_ID_PATTERN = "^[A-Za-z0-9\\-:.+%_#*?!(),=@;$']{1,128}$";

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const operationKind: Schema = { type: 'string', enum: allOperations().map((d) => d.kind) };
const PHASES = ['starting', 'invoking', 'awaiting-report', 'completed'];
const nullable = (schema: Schema): Schema => ({ ...schema, 'x-nullable': true });
const errorResponse = (description: string): Schema => ({ description, schema: ref('ErrorResponse') });

export function buildOpenApiDocument(host: string, scheme: 'http' | 'https'): Schema {
  const requestProperties: Record<string, Schema> = {
    payload: {
      description: `Direct-method payload sent to the device: any JSON value, at most ${MAX_METHOD_PAYLOAD_BYTES} bytes serialized. Default null.`,
    },
  };
  // x-ms-notification-url marks the property that carries the caller's callback URL (Microsoft, "OpenAPI
  // extensions for custom connectors": learn.microsoft.com/connectors/custom-connectors/openapi-extensions).
  requestProperties.callbackUrl = {
    type: 'string', format: 'uri', maxLength: MAX_CALLBACK_URL_LENGTH, 'x-ms-notification-url': true, 'x-ms-visibility': 'internal',
    description: 'Optional completion callback: an https URL (Logic Apps: @{listCallbackUrl()}) that receives a POST with the final status. '
      + 'Private, loopback and link-local addresses are refused. Never returned or logged.',
  };
  for (const field of OPERATION_REQUEST_FIELDS) {
    requestProperties[field.name] = {
      type: 'integer', format: 'int32', minimum: field.min, maximum: field.max, default: field.defaultValue,
      description: FIELD_DESCRIPTIONS[field.name],
    };
  }
  const deviceIdParameter = {
    name: 'deviceId', in: 'path', required: true, type: 'string', maxLength: DEVICE_ID_MAX_LENGTH, pattern: DEVICE_ID_PATTERN,
    description: "IoT Hub device id (URL-encode '#', '?', '%' and the like).", 'x-ms-summary': 'Device id', 'x-ms-visibility': 'important',
  };
  const asyncHeaders = {
    Location: { type: 'string', description: 'Operation status URL (carries the function key when the route needs one).' },
    'Retry-After': { type: 'integer', description: 'Seconds to wait before polling Location: when the next change can be known (1 s while twin change events can bring the outcome, else until the next twin read, at most the poll interval).' },
  };

  const instanceIdParameter = { name: 'instanceId', in: 'path', required: true, type: 'string', description: 'Operation (orchestration instance) id.', 'x-ms-summary': 'Operation id', 'x-ms-visibility': 'important' };
  const pageParameters = [
    { name: 'top', in: 'query', required: false, type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: 'Page size.', 'x-ms-summary': 'Page size', 'x-ms-visibility': 'advanced' },
    { name: 'continuationToken', in: 'query', required: false, type: 'string', description: 'From the previous page.', 'x-ms-summary': 'Continuation token', 'x-ms-visibility': 'advanced' },
  ];
  const startPaths: Record<string, Schema> = {};
  for (const definition of allOperations()) {
    const name = `${definition.kind[0]!.toUpperCase()}${definition.kind.slice(1)}`;
    startPaths[`/devices/{deviceId}/${definition.kind}`] = {
      // What a start with callbackUrl POSTs there when the operation ends.
      'x-ms-notification-content': { schema: ref('OperationCallback') },
      post: {
        operationId: `Start${name}`,
        summary: `Start a ${definition.kind} of a device`,
        description: `${definition.summary} One operation per device at a time, whatever its kind; the direct method is sent at most once.`,
        'x-ms-visibility': 'important',
        parameters: [
          deviceIdParameter,
          { name: 'body', in: 'body', required: definition.kind === 'firmwareUpdate', description: 'Options of the operation (all optional except the firmware package).',
            schema: ref(definition.kind === 'firmwareUpdate' ? 'FirmwareUpdateRequest' : 'OperationRequest') },
        ],
        responses: {
          202: { description: 'Accepted: poll Location until it answers 200.', headers: asyncHeaders, schema: ref('OperationAccepted') },
          400: errorResponse('Invalid device id or request body; error.target names the field.'),
          401: { description: 'Missing or invalid function key.' },
          409: { description: 'The device is busy with another operation.', headers: { Location: asyncHeaders.Location }, schema: ref('OperationConflict') },
          413: errorResponse('The body or the method payload is too large.'),
          415: errorResponse('The body is not application/json.'),
        },
      },
    };
  }

  return {
    swagger: '2.0',
    info: {
      title: 'IoT device management',
      version: '2.0.0',
      description: 'Reboots, factory-resets and updates the firmware of IoT Hub devices with direct methods and follows them until they '
        + 'report back in their twin. Long-running: start answers 202 with a Location to poll until it answers 200.',
    },
    host,
    basePath: `/${ROUTE_PREFIX}`,
    schemes: [scheme],
    consumes: ['application/json'],
    produces: ['application/json'],
    securityDefinitions: {
      functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key', description: 'Azure Functions function key (or pass it as ?code=).' },
    },
    security: [{ functionKey: [] }],
    paths: {
      ...startPaths,
      ...rolloutPaths(),
      '/operations': {
        get: {
          operationId: 'ListRunningOperations',
          summary: 'List the operations running now, across devices',
          description: 'The operations that hold a device now (starting or running), with their status and cancel URLs, one page at a time.',
          'x-ms-visibility': 'advanced',
          parameters: [
            { name: 'state', in: 'query', required: false, type: 'string', enum: ['running'], default: 'running', description: 'Only running is supported.', 'x-ms-summary': 'State', 'x-ms-visibility': 'internal' },
            ...pageParameters,
          ],
          responses: {
            200: { description: 'One page of running operations.', schema: ref('RunningOperationsPage') },
            400: errorResponse('Invalid query parameter.'),
            401: { description: 'Missing or invalid function key.' },
          },
        },
      },
      '/operations/{instanceId}': {
        get: {
          operationId: 'GetOperationStatus',
          summary: 'Get the status of an operation',
          description: 'Answers 202 with Location and Retry-After while the operation runs, and 200 with its outcome once it is over.',
          'x-ms-visibility': 'important',
          parameters: [instanceIdParameter],
          responses: {
            200: { description: 'The operation is over; outcome says how it ended.', schema: ref('OperationResult') },
            202: { description: 'The operation is running.', headers: asyncHeaders, schema: ref('OperationRunning') },
            401: { description: 'Missing or invalid function key.' },
            404: errorResponse('No device operation has this id.'),
          },
        },
      },
      '/operations/{instanceId}/cancel': {
        post: {
          operationId: 'CancelOperation',
          summary: 'Cancel a running operation',
          description: CANCEL_NOTE,
          'x-ms-visibility': 'important',
          parameters: [instanceIdParameter],
          responses: {
            202: { description: 'Canceling: poll Location until it answers 200 with outcome Canceled.', headers: asyncHeaders, schema: ref('CancelAccepted') },
            400: errorResponse('Invalid request.'),
            401: { description: 'Missing or invalid function key.' },
            404: errorResponse('No device operation has this id.'),
            409: { description: 'The operation is already over.', schema: ref('OperationFinished') },
          },
        },
      },
      '/devices/{deviceId}/operations': {
        get: {
          operationId: 'ListDeviceOperations',
          summary: "List a device's operations of every kind, newest first",
          description: 'One row per operation, each ending in a final outcome, one page at a time.',
          'x-ms-visibility': 'important',
          parameters: [deviceIdParameter, ...pageParameters],
          responses: {
            200: { description: 'One page of operations.', schema: ref('DeviceOperationsPage') },
            400: errorResponse('Invalid device id or query parameter.'),
            401: { description: 'Missing or invalid function key.' },
          },
        },
      },
      '/reports/{operation}': {
        get: {
          operationId: 'GetStatusReport',
          summary: 'Count devices by the status they report for an operation kind',
          description: 'Runs one IoT Hub twin query grouped by properties.reported.iothubDM.<operation>.status; the filters are ANDed.',
          'x-ms-visibility': 'advanced',
          parameters: [
            { name: 'operation', in: 'path', required: true, type: 'string', enum: allOperations().map((d) => d.kind), description: 'Operation kind whose reported status is counted.', 'x-ms-summary': 'Operation' },
            { name: 'connectionState', in: 'query', required: false, type: 'string', enum: ['Connected', 'Disconnected'], description: 'Only devices in this connection state.', 'x-ms-summary': 'Connection state' },
            { name: 'deviceIdPrefix', in: 'query', required: false, type: 'string', maxLength: DEVICE_ID_MAX_LENGTH, description: 'Only devices whose id starts with this.', 'x-ms-summary': 'Device id prefix' },
            { name: 'tagName', in: 'query', required: false, type: 'string', description: 'Twin tag path, e.g. location.region (with tagValue).', 'x-ms-summary': 'Tag name', 'x-ms-visibility': 'advanced' },
            { name: 'tagValue', in: 'query', required: false, type: 'string', maxLength: 256, description: 'Value the tag must have (with tagName).', 'x-ms-summary': 'Tag value', 'x-ms-visibility': 'advanced' },
          ],
          responses: {
            200: { description: 'Counts by iothubDM.<operation>.status.', schema: ref('StatusReport') },
            404: errorResponse('Not an operation kind.'),
            400: errorResponse('Invalid filter.'),
            401: { description: 'Missing or invalid function key.' },
            502: errorResponse('IoT Hub refused the query.'),
            503: errorResponse('IoT Hub is busy; retry later.'),
          },
        },
      },
      '/callbacks/unsubscribe': {
        post: {
          operationId: 'UnsubscribeCallback',
          summary: 'Stop the completion callback of an operation',
          description: 'The unsubscribe call of the Logic Apps HTTP Webhook action: the callbackUrl given at start identifies the subscription. '
            + 'The device operation goes on unless cancelOperation is true. Idempotent.',
          'x-ms-visibility': 'internal',
          parameters: [{ name: 'body', in: 'body', required: true, description: 'The callback URL given at start.', schema: ref('UnsubscribeRequest') }],
          responses: {
            200: { description: 'The subscriptions that were removed (none when there was nothing to remove).', schema: ref('UnsubscribeResult') },
            400: errorResponse('Invalid body; error.target names the field.'),
            401: { description: 'Missing or invalid function key.' },
            415: errorResponse('The body is not application/json.'),
          },
        },
      },
      '/operations/{instanceId}/subscribe': {
        // What the subscription POSTs to callbackUrl when the operation ends.
        'x-ms-notification-content': { schema: ref('OperationCallback') },
        post: {
          operationId: 'SubscribeCallback',
          summary: 'Get a callback when a running operation ends',
          description: 'The subscribe call of the Logic Apps HTTP Webhook action for an operation that is already running: its final status is POSTed '
            + 'to callbackUrl once it ends (terminated operations included), or at once when it is already over. Unsubscribe with UnsubscribeCallback.',
          'x-ms-visibility': 'advanced',
          parameters: [instanceIdParameter, { name: 'body', in: 'body', required: true, description: 'Where to call back.', schema: ref('SubscribeRequest') }],
          responses: {
            202: { description: 'Subscribed; Location is the operation status URL.', headers: { Location: asyncHeaders.Location }, schema: ref('SubscribeResult') },
            400: errorResponse('Invalid body; error.target names the field.'),
            401: { description: 'Missing or invalid function key.' },
            404: errorResponse('No device operation has this id.'),
            415: errorResponse('The body is not application/json.'),
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'GetOpenApiDocument',
          summary: 'Get this OpenAPI document',
          description: 'The OpenAPI 2.0 document of the API, for the host it was requested on (anonymous).',
          security: [],
          'x-ms-visibility': 'internal',
          responses: { 200: { description: 'OpenAPI 2.0 document.', schema: { type: 'object' } } },
        },
      },
    },
    definitions: {
      ErrorDetail: {
        type: 'object', required: ['code', 'message'],
        properties: {
          code: { type: 'string' }, message: { type: 'string' },
          target: { type: 'string', description: 'The request element at fault: body field, query or route parameter, or header.' },
        },
      },
      ErrorResponse: { type: 'object', required: ['error'], properties: { error: ref('ErrorDetail') } },
      OperationConflict: {
        type: 'object', required: ['error', 'instanceId', 'statusUrl'],
        properties: {
          error: ref('ErrorDetail'), instanceId: { type: 'string' }, operation: operationKind,
          statusUrl: { type: 'string', description: 'Status URL of the running operation.' },
        },
      },
      OperationFinished: {
        type: 'object', required: ['error', 'instanceId', 'outcome'],
        properties: { error: ref('ErrorDetail'), instanceId: { type: 'string' }, outcome: { type: 'string', enum: [...OUTCOMES] }, statusUrl: { type: 'string' } },
      },
      OperationRequest: { type: 'object', additionalProperties: false, properties: requestProperties },
      ...rolloutDefinitions({ type: 'object', additionalProperties: false, properties: requestProperties }),
      FirmwareUpdateRequest: {
        type: 'object', additionalProperties: false, required: ['payload'],
        properties: {
          ...requestProperties,
          payload: {
            type: 'object', required: ['fwPackageUri'], description: 'Sent to the device as the method payload.',
            properties: { fwPackageUri: { type: 'string', format: 'uri', maxLength: MAX_FW_PACKAGE_URI_LENGTH, description: 'https URL of the firmware image.', 'x-ms-summary': 'Firmware package URL' } },
          },
        },
      },
      OperationAccepted: {
        type: 'object', required: ['instanceId', 'deviceId', 'operation', 'statusUrl', 'cancelUrl'],
        properties: {
          instanceId: { type: 'string' }, deviceId: { type: 'string' }, operation: operationKind,
          statusUrl: { type: 'string', description: 'Same as the Location header.' },
          cancelUrl: { type: 'string', description: 'POST here to cancel the operation.' },
        },
      },
      OperationCallback: {
        type: 'object', required: ['instanceId', 'status', 'outcome'],
        description: 'POSTed to callbackUrl when the operation ends: the status route\'s final body plus status.',
        properties: {
          status: { type: 'string', enum: [...CALLBACK_STATUSES], description: 'Branch on this: Succeeded, Failed, TimedOut or Canceled.' },
          ...commonStatusProperties(),
          outcome: { type: 'string', enum: [...OUTCOMES] },
          delivery: { type: 'string', enum: [...DELIVERIES] },
          error: nullable({ type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } }),
        },
      },
      UnsubscribeRequest: {
        type: 'object', additionalProperties: false, required: ['callbackUrl'],
        properties: {
          callbackUrl: { type: 'string', maxLength: MAX_CALLBACK_URL_LENGTH, description: 'The callbackUrl given at start.', 'x-ms-visibility': 'internal' },
          cancelOperation: { type: 'boolean', default: false, description: 'Also cancel the device operation.', 'x-ms-summary': 'Cancel the operation' },
        },
      },
      SubscribeRequest: {
        type: 'object', additionalProperties: false, required: ['callbackUrl'],
        properties: { callbackUrl: requestProperties.callbackUrl },
      },
      SubscribeResult: {
        type: 'object', required: ['instanceId', 'subscribed', 'running'],
        properties: {
          instanceId: { type: 'string' }, subscribed: { type: 'boolean' },
          running: { type: 'boolean', description: 'False: the operation was already over and its callback is on its way.' }, statusUrl: { type: 'string' },
        },
      },
      UnsubscribeResult: {
        type: 'object', required: ['unsubscribed'],
        properties: {
          unsubscribed: {
            type: 'array',
            items: {
              type: 'object',
              properties: { instanceId: { type: 'string' }, operation: nullable(operationKind), statusUrl: { type: 'string' }, cancelRequested: { type: 'boolean' } },
            },
          },
        },
      },
      CancelAccepted: {
        type: 'object', required: ['instanceId', 'status', 'statusUrl'],
        properties: { instanceId: { type: 'string' }, status: { type: 'string', enum: ['Canceling'] }, statusUrl: { type: 'string' }, note: { type: 'string' } },
      },
      RunningOperationsPage: {
        type: 'object', required: ['operations'],
        properties: {
          state: { type: 'string' },
          operations: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                instanceId: { type: 'string' }, deviceId: { type: 'string' }, operation: operationKind,
                state: { type: 'string', enum: ['starting', 'running'] }, requestedAt: { type: 'string', format: 'date-time' },
                statusUrl: { type: 'string' }, cancelUrl: { type: 'string' },
              },
            },
          },
          continuationToken: nullable({ type: 'string' }),
          nextLink: nullable({ type: 'string' }),
        },
      },
      MethodResponse: {
        type: 'object', required: ['status'],
        properties: { status: { type: 'integer', description: 'Status chosen by the device.' }, payload: { description: 'Payload chosen by the device.' } },
      },
      DeviceActivity: {
        type: 'object', description: 'What the twin showed at the deadline of an operation that got no verdict from the device.',
        properties: {
          connectionState: nullable({ type: 'string', enum: ['Connected', 'Disconnected'] }),
          connectionStateUpdatedTime: nullable({ type: 'string', format: 'date-time' }),
          connectionChangedAfterMethod: { type: 'boolean' },
          reportedAfterMethod: { type: 'boolean' },
          lastReportedStep: nullable({ type: 'string' }),
        },
      },
      ReportedSection: {
        type: 'object',
        properties: {
          values: nullable({ type: 'object', description: 'properties.reported.iothubDM.<operation>' }),
          lastUpdated: { type: 'object', additionalProperties: { type: 'string' }, description: 'Hub time each field was last reported.' },
          connectionState: nullable({ type: 'string', enum: ['Connected', 'Disconnected'] }),
          connectionStateUpdatedTime: nullable({ type: 'string', format: 'date-time' }),
          reportedVersion: nullable({ type: 'integer' }),
        },
      },
      OperationRunning: {
        type: 'object', required: ['instanceId', 'runtimeStatus'],
        properties: {
          ...commonStatusProperties(),
          customStatus: nullable({
            type: 'object',
            properties: {
              phase: { type: 'string', enum: PHASES }, delivery: { type: 'string', enum: [...DELIVERIES] },
              step: nullable({ type: 'string' }), polls: { type: 'integer' },
              lastReported: ref('ReportedSection'), deadline: { type: 'string', format: 'date-time' },
              sentAt: nullable({ type: 'string', format: 'date-time', description: 'When the direct method was sent.' }),
              nextCheckAt: nullable({ type: 'string', format: 'date-time', description: 'The next timed twin read while waiting for the device.' }),
              wakesOnTwinChange: { type: 'boolean', description: 'Twin change events wake the operation before its next timed read.' },
            },
          }),
          statusUrl: { type: 'string' },
          cancelUrl: { type: 'string' },
        },
      },
      OperationResult: {
        type: 'object', required: ['instanceId', 'runtimeStatus', 'outcome'],
        properties: {
          ...commonStatusProperties(),
          outcome: { type: 'string', enum: [...OUTCOMES] },
          delivery: { type: 'string', enum: [...DELIVERIES], description: 'delivered, notDelivered (proved), or unknown.' },
          methodResponse: nullable(ref('MethodResponse')),
          requestedAt: { type: 'string', format: 'date-time' },
          acceptedAt: nullable({ type: 'string', format: 'date-time' }),
          completedAt: { type: 'string', format: 'date-time' },
          durationMs: { type: 'integer' },
          polls: { type: 'integer' },
          step: nullable({ type: 'string' }),
          firmwareVersion: nullable({ type: 'string' }),
          lastReported: nullable(ref('ReportedSection')),
          deviceActivity: nullable(ref('DeviceActivity')),
          error: nullable({ type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } }),
        },
      },
      OperationRecord: {
        type: 'object',
        properties: {
          deviceId: { type: 'string' }, instanceId: { type: 'string' }, operation: operationKind,
          phase: { type: 'string', enum: PHASES },
          outcome: nullable({ type: 'string', enum: [...OUTCOMES] }),
          delivery: { type: 'string', enum: [...DELIVERIES] },
          step: nullable({ type: 'string' }),
          firmwareVersion: nullable({ type: 'string' }),
          deviceActivity: nullable(ref('DeviceActivity')),
          requestedAt: { type: 'string', format: 'date-time' },
          acceptedAt: nullable({ type: 'string', format: 'date-time' }),
          completedAt: nullable({ type: 'string', format: 'date-time' }),
          durationMs: nullable({ type: 'integer' }),
          deadline: { type: 'string', format: 'date-time' },
          polls: { type: 'integer' },
          methodResponse: nullable(ref('MethodResponse')),
          lastReported: nullable(ref('ReportedSection')),
          error: nullable({ type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } }),
          updatedAt: { type: 'string', format: 'date-time' },
          statusUrl: { type: 'string' },
        },
      },
      DeviceOperationsPage: {
        type: 'object', required: ['deviceId', 'operations'],
        properties: {
          deviceId: { type: 'string' },
          operations: { type: 'array', items: ref('OperationRecord') },
          continuationToken: nullable({ type: 'string' }),
          nextLink: nullable({ type: 'string' }),
        },
      },
      StatusReport: {
        type: 'object', required: ['operation', 'generatedAt', 'totalDevices', 'byStatus'],
        properties: {
          operation: operationKind,
          reportedProperty: { type: 'string' },
          generatedAt: { type: 'string', format: 'date-time' },
          filters: { type: 'object' },
          totalDevices: { type: 'integer' },
          byStatus: {
            type: 'array',
            items: {
              type: 'object', required: ['devices'],
              properties: { status: nullable({ type: 'string', description: 'null: the device reports no status for this operation.' }), devices: { type: 'integer' } },
            },
          },
        },
      },
    },
  };
}

const FIELD_DESCRIPTIONS: Record<string, string> = {
  responseTimeoutInSeconds: 'How long IoT Hub waits for the device to answer the method.',
  connectTimeoutInSeconds: 'How long IoT Hub waits for a disconnected device to connect (0: it must be online).',
  pollIntervalSeconds: 'Seconds between twin reads while waiting for the device to report.',
  timeoutSeconds: 'Overall deadline of the operation, retries included; TimedOut when the device has not reported by then.',
};

function commonStatusProperties(): Record<string, Schema> {
  return {
    instanceId: { type: 'string' },
    deviceId: nullable({ type: 'string' }),
    operation: { type: 'string' },
    runtimeStatus: { type: 'string', description: 'Durable runtime status: Running, Pending, Completed, Failed, Terminated, …' },
    createdTime: nullable({ type: 'string', format: 'date-time' }),
    lastUpdatedTime: nullable({ type: 'string', format: 'date-time' }),
  };
}

export function getOpenApiDocument(request: HttpRequest): HttpResponseInit {
  const url = new URL(request.url);
  return json(200, buildOpenApiDocument(url.host, url.protocol === 'http:' ? 'http' : 'https'));
}
