// GET /api/openapi.json: an OpenAPI 2.0 (Swagger) description of the API, the version Logic Apps custom
// connectors import. Host and scheme are those the document was requested on.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { DEVICE_ID_MAX_LENGTH } from '../domain/deviceId';
import { OUTCOMES } from '../domain/outcomes';
import { MAX_METHOD_PAYLOAD_BYTES, REBOOT_REQUEST_FIELDS } from '../domain/rebootRequest';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './listDeviceOperations';
import { json } from './responses';
import { ROUTE_PREFIX } from './routes';

const DEVICE_ID_PATTERN = "^[A-Za-z0-9\\-:.+%_#*?!(),=@;$']{1,128}$";

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const nullable = (schema: Schema): Schema => ({ ...schema, 'x-nullable': true });
const errorResponse = (description: string): Schema => ({ description, schema: ref('ErrorResponse') });

export function buildOpenApiDocument(host: string, scheme: 'http' | 'https'): Schema {
  const requestProperties: Record<string, Schema> = {
    payload: {
      description: `Direct-method payload sent to the device: any JSON value, at most ${MAX_METHOD_PAYLOAD_BYTES} bytes serialized. Default null.`,
    },
  };
  for (const field of REBOOT_REQUEST_FIELDS) {
    requestProperties[field.name] = {
      type: 'integer', format: 'int32', minimum: field.min, maximum: field.max, default: field.defaultValue,
      description: FIELD_DESCRIPTIONS[field.name],
    };
  }
  const deviceIdParameter = {
    name: 'deviceId', in: 'path', required: true, type: 'string', maxLength: DEVICE_ID_MAX_LENGTH, pattern: DEVICE_ID_PATTERN,
    description: "IoT Hub device id (URL-encode '#', '?', '%' and the like).", 'x-ms-summary': 'Device id',
  };
  const asyncHeaders = {
    Location: { type: 'string', description: 'Operation status URL (carries the function key when the route needs one).' },
    'Retry-After': { type: 'integer', description: 'Seconds to wait before polling Location: the poll interval.' },
  };

  return {
    swagger: '2.0',
    info: {
      title: 'IoT device reboot',
      version: '1.0.0',
      description: 'Reboots IoT Hub devices with the `reboot` direct method and follows them until they report back. '
        + 'Long-running: start answers 202 with a Location to poll until it answers 200.',
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
      '/devices/{deviceId}/reboot': {
        post: {
          operationId: 'StartReboot',
          summary: 'Reboot a device',
          description: 'Invokes the reboot direct method and monitors the device twin until the device reports its reboot. '
            + 'One reboot per device at a time.',
          'x-ms-visibility': 'important',
          parameters: [
            deviceIdParameter,
            { name: 'body', in: 'body', required: false, schema: ref('RebootRequest') },
          ],
          responses: {
            202: { description: 'Accepted: poll Location until it answers 200.', headers: asyncHeaders, schema: ref('RebootAccepted') },
            400: errorResponse('Invalid device id or request body; error.target names the field.'),
            401: { description: 'Missing or invalid function key.' },
            409: { description: 'A reboot of this device is already running.', headers: { Location: asyncHeaders.Location }, schema: ref('OperationConflict') },
            413: errorResponse('The body or the method payload is too large.'),
            415: errorResponse('The body is not JSON.'),
          },
        },
      },
      '/operations/{instanceId}': {
        get: {
          operationId: 'GetOperationStatus',
          summary: 'Get the status of a reboot operation',
          parameters: [{ name: 'instanceId', in: 'path', required: true, type: 'string', description: 'Operation (orchestration instance) id.', 'x-ms-summary': 'Operation id' }],
          responses: {
            200: { description: 'The operation is over; outcome says how it ended.', schema: ref('OperationResult') },
            202: { description: 'The operation is running.', headers: asyncHeaders, schema: ref('OperationRunning') },
            401: { description: 'Missing or invalid function key.' },
            404: errorResponse('No reboot operation has this id.'),
          },
        },
      },
      '/devices/{deviceId}/operations': {
        get: {
          operationId: 'ListDeviceOperations',
          summary: "List a device's reboot operations, newest first",
          parameters: [
            deviceIdParameter,
            { name: 'top', in: 'query', required: false, type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: 'Page size.' },
            { name: 'continuationToken', in: 'query', required: false, type: 'string', description: 'From the previous page.' },
          ],
          responses: {
            200: { description: 'One page of operations.', schema: ref('DeviceOperationsPage') },
            400: errorResponse('Invalid device id or query parameter.'),
            401: { description: 'Missing or invalid function key.' },
          },
        },
      },
      '/reports/reboot': {
        get: {
          operationId: 'GetRebootReport',
          summary: 'Count devices by reported reboot status',
          parameters: [
            { name: 'connectionState', in: 'query', required: false, type: 'string', enum: ['Connected', 'Disconnected'] },
            { name: 'deviceIdPrefix', in: 'query', required: false, type: 'string', maxLength: DEVICE_ID_MAX_LENGTH },
            { name: 'tagName', in: 'query', required: false, type: 'string', description: 'Twin tag path, e.g. location.region (with tagValue).' },
            { name: 'tagValue', in: 'query', required: false, type: 'string', maxLength: 256 },
          ],
          responses: {
            200: { description: 'Counts by iothubDM.reboot.status.', schema: ref('RebootReport') },
            400: errorResponse('Invalid filter.'),
            401: { description: 'Missing or invalid function key.' },
            502: errorResponse('IoT Hub refused the query.'),
            503: errorResponse('IoT Hub is busy; retry later.'),
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'GetOpenApiDocument',
          summary: 'This document',
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
        properties: { error: ref('ErrorDetail'), instanceId: { type: 'string' }, statusUrl: { type: 'string', description: 'Status URL of the running operation.' } },
      },
      RebootRequest: { type: 'object', additionalProperties: false, properties: requestProperties },
      RebootAccepted: {
        type: 'object', required: ['instanceId', 'deviceId', 'operation', 'statusUrl', 'management'],
        properties: {
          instanceId: { type: 'string' }, deviceId: { type: 'string' }, operation: { type: 'string', enum: ['reboot'] },
          statusUrl: { type: 'string', description: 'Same as the Location header.' },
          management: ref('ManagementUrls'),
        },
      },
      ManagementUrls: {
        type: 'object', description: 'Durable Functions instance management URLs.',
        properties: Object.fromEntries(['id', 'statusQueryGetUri', 'sendEventPostUri', 'terminatePostUri', 'rewindPostUri',
          'purgeHistoryDeleteUri', 'suspendPostUri', 'resumePostUri'].map((name) => [name, { type: 'string' }])),
      },
      MethodResponse: {
        type: 'object', required: ['status'],
        properties: { status: { type: 'integer', description: 'Status chosen by the device.' }, payload: { description: 'Payload chosen by the device.' } },
      },
      ReportedRebootState: {
        type: 'object',
        properties: {
          reboot: nullable({ type: 'object', description: 'properties.reported.iothubDM.reboot' }),
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
              phase: { type: 'string', enum: ['invoking', 'awaiting-report', 'completed', 'failed'] },
              polls: { type: 'integer' }, lastReported: ref('ReportedRebootState'), deadline: { type: 'string', format: 'date-time' },
            },
          }),
          statusUrl: { type: 'string' },
        },
      },
      OperationResult: {
        type: 'object', required: ['instanceId', 'runtimeStatus', 'outcome'],
        properties: {
          ...commonStatusProperties(),
          outcome: { type: 'string', enum: [...OUTCOMES] },
          methodResponse: nullable(ref('MethodResponse')),
          requestedAt: { type: 'string', format: 'date-time' },
          acceptedAt: nullable({ type: 'string', format: 'date-time' }),
          completedAt: { type: 'string', format: 'date-time' },
          durationMs: { type: 'integer' },
          polls: { type: 'integer' },
          lastReported: nullable(ref('ReportedRebootState')),
          error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
        },
      },
      OperationRecord: {
        type: 'object',
        properties: {
          deviceId: { type: 'string' }, instanceId: { type: 'string' }, operation: { type: 'string' },
          phase: { type: 'string', enum: ['invoking', 'awaiting-report', 'completed', 'failed'] },
          outcome: nullable({ type: 'string', enum: [...OUTCOMES] }),
          requestedAt: { type: 'string', format: 'date-time' },
          acceptedAt: nullable({ type: 'string', format: 'date-time' }),
          completedAt: nullable({ type: 'string', format: 'date-time' }),
          durationMs: nullable({ type: 'integer' }),
          deadline: { type: 'string', format: 'date-time' },
          polls: { type: 'integer' },
          methodResponse: nullable(ref('MethodResponse')),
          lastReported: nullable(ref('ReportedRebootState')),
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
      RebootReport: {
        type: 'object', required: ['generatedAt', 'totalDevices', 'byStatus'],
        properties: {
          generatedAt: { type: 'string', format: 'date-time' },
          filters: { type: 'object' },
          totalDevices: { type: 'integer' },
          byStatus: {
            type: 'array',
            items: {
              type: 'object', required: ['devices'],
              properties: { status: nullable({ type: 'string', description: 'null: the device reports no reboot status.' }), devices: { type: 'integer' } },
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
  pollIntervalSeconds: 'Seconds between twin reads while waiting for the device to report its reboot.',
  timeoutSeconds: 'Overall deadline of the operation; TimedOut when the device has not reported by then.',
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
