// The rollout part of the OpenAPI 2.0 document (openApiDocument.ts spreads these paths and definitions in).
import { CALLBACK_STATUSES } from '../domain/callbacks/callbackStatus';
import { MAX_CALLBACK_URL_LENGTH } from '../domain/callbacks/callbackUrl';
import { OUTCOMES } from '../domain/outcomes';
import { OPERATION_KINDS } from '../domain/operations/operationKind';
import { ROLLOUT_DEVICE_STATES } from '../domain/rollouts/rolloutCounters';
import {
  ABORT_OUTCOMES, MAX_ABORT_RULES, MAX_RATE_PER_MINUTE, MAX_ROLLOUT_DEVICES, MAX_START_DELAY_DAYS, MAX_TARGET_TAGS,
} from '../domain/rollouts/rolloutRequest';
import { MAX_DEVICE_ATTEMPTS, RETRYABLE_OUTCOMES } from '../domain/rollouts/rolloutRetries';
import { ROLLOUT_STATES } from '../domain/rollouts/rolloutStore';
import { MAX_WAVES } from '../domain/rollouts/rolloutWaves';
import { ROLLOUT_ROUTE } from './rolloutRoutes';

type Schema = Record<string, unknown>;
const exponentialRate: Schema = {
  type: 'object', additionalProperties: false, required: ['baseRatePerMinute', 'incrementFactor', 'afterSucceeded'],
  description: 'As AWS IoT Jobs: start at baseRatePerMinute, multiply by incrementFactor each time afterSucceeded more devices succeed, up to maxPerMinute.',
  properties: {
    baseRatePerMinute: { type: 'integer', minimum: 1, maximum: MAX_RATE_PER_MINUTE },
    incrementFactor: { type: 'number', minimum: 1.1, maximum: 5, multipleOf: 0.1 },
    afterSucceeded: { type: 'integer', minimum: 1, maximum: MAX_ROLLOUT_DEVICES },
  },
};
const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const nullable = (schema: Schema): Schema => ({ ...schema, 'x-nullable': true });
const error = (description: string): Schema => ({ description, schema: ref('ErrorResponse') });
const unauthorized = { description: 'Missing or invalid function key.' };
const rolloutIdParameter = {
  name: 'rolloutId', in: 'path', required: true, type: 'string', pattern: '^rollout-[0-9a-f]{32}$', 'x-ms-summary': 'Rollout id',
  description: 'The rollout id from the start answer.',
};
const asyncHeaders = {
  Location: { type: 'string', description: 'Rollout status URL (carries the function key when the route needs one).' },
  'Retry-After': { type: 'integer', description: 'Seconds to wait before reading Location again.' },
};
const pageParameters = [
  { name: 'pageSize', in: 'query', required: false, type: 'integer', minimum: 1, maximum: 1000, default: 100, 'x-ms-summary': 'Page size', description: 'Items per page.' },
  { name: 'continuationToken', in: 'query', required: false, type: 'string', 'x-ms-summary': 'Continuation token', 'x-ms-visibility': 'advanced', description: 'From the previous page.' },
];

export function rolloutPaths(): Record<string, Schema> {
  return {
    [`/${ROLLOUT_ROUTE.rollouts}`]: {
      // What a start with callbackUrl POSTs there when the rollout ends.
      'x-ms-notification-content': { schema: ref('RolloutCallback') },
      post: {
        operationId: 'StartRollout',
        summary: 'Start a rollout on many devices',
        description: 'One operation on many devices, in waves, with abort rules and a rate. Each device runs the single-device operation (at most once per device); a device busy with another operation is reported busy, never acted on.',
        'x-ms-visibility': 'important',
        parameters: [{ name: 'body', in: 'body', required: true, schema: ref('RolloutRequest'), description: 'The rollout: operation, parameters, target, waves, abort rules, rate.' }],
        responses: {
          202: { description: 'Accepted: read Location until it answers 200.', headers: asyncHeaders, schema: ref('RolloutAccepted') },
          400: error('Invalid body; error.target names the field.'),
          401: unauthorized,
          413: error('The body is too large.'),
          415: error('The body is not application/json.'),
        },
      },
      get: {
        operationId: 'ListRollouts',
        summary: 'List rollouts',
        description: 'The rollouts, newest first, one page at a time.',
        'x-ms-visibility': 'advanced',
        parameters: pageParameters,
        responses: { 200: { description: 'One page of rollouts.', schema: ref('RolloutsPage') }, 400: error('Invalid query parameter.'), 401: unauthorized },
      },
    },
    [`/${ROLLOUT_ROUTE.rollout}`]: {
      get: {
        operationId: 'GetRolloutStatus',
        summary: 'Get the state and counters of a rollout',
        description: '202 while the rollout runs, 200 once it is over; counters per device state and the current wave.',
        'x-ms-visibility': 'important',
        parameters: [rolloutIdParameter],
        responses: {
          200: { description: 'The rollout is over (completed, canceled, aborted or failed).', schema: ref('Rollout') },
          202: { description: 'The rollout is running.', headers: asyncHeaders, schema: ref('Rollout') },
          400: error('Malformed rollout id.'),
          401: unauthorized,
          404: error('No rollout has this id.'),
        },
      },
    },
    [`/${ROLLOUT_ROUTE.devices}`]: {
      get: {
        operationId: 'ListRolloutDevices',
        summary: 'List the devices of a rollout',
        description: 'The devices of a rollout with their state and outcome, optionally only those in one state.',
        'x-ms-visibility': 'advanced',
        parameters: [rolloutIdParameter, { name: 'state', in: 'query', required: false, type: 'string', enum: [...ROLLOUT_DEVICE_STATES], 'x-ms-summary': 'Device state', description: 'Only devices in this state.' }, ...pageParameters],
        responses: {
          200: { description: 'One page of devices, in target-list order.', schema: ref('RolloutDevicesPage') },
          400: error('Invalid parameter.'), 401: unauthorized, 404: error('No rollout has this id.'),
        },
      },
    },
    [`/${ROLLOUT_ROUTE.cancel}`]: {
      post: {
        operationId: 'CancelRollout',
        summary: 'Cancel a rollout',
        description: 'Queued devices are canceled; operations already in flight finish, unless force is true: then they are canceled too (a method that already reached a device cannot be recalled).',
        'x-ms-visibility': 'important',
        parameters: [rolloutIdParameter, { name: 'body', in: 'body', required: false, description: 'Optional: { "force": true } also cancels the device operations in flight.', schema: {
          type: 'object', additionalProperties: false, properties: { force: { type: 'boolean', default: false, description: 'Also cancel the device operations in flight.' } } } }],
        responses: controlResponses('Cancel requested'),
      },
    },
    [`/${ROLLOUT_ROUTE.pause}`]: {
      post: {
        operationId: 'PauseRollout',
        summary: 'Pause a rollout',
        description: 'No queued device starts until resume; operations already in flight finish. The status shows state paused.',
        'x-ms-visibility': 'advanced',
        parameters: [rolloutIdParameter],
        responses: controlResponses('Pause requested'),
      },
    },
    [`/${ROLLOUT_ROUTE.resume}`]: {
      post: {
        operationId: 'ResumeRollout',
        summary: 'Resume a paused rollout',
        description: 'Queued devices start again at the rollout\'s rate.',
        'x-ms-visibility': 'advanced',
        parameters: [rolloutIdParameter],
        responses: controlResponses('Resume requested'),
      },
    },
  };
}

function controlResponses(what: string): Schema {
  return {
    202: { description: `${what}; read Location until it answers 200.`, headers: asyncHeaders, schema: { type: 'object' } },
    400: error('Invalid body or rollout id.'), 401: unauthorized, 404: error('No rollout has this id.'),
    409: error('The rollout is already over.'),
  };
}

export function rolloutDefinitions(operationRequest: Schema): Record<string, Schema> {
  const counters = { type: 'object', properties: Object.fromEntries(ROLLOUT_DEVICE_STATES.map((s) => [s, { type: 'integer' }])) };
  const rollout = {
    rolloutId: { type: 'string' }, operation: { type: 'string', enum: [...OPERATION_KINDS] },
    state: { type: 'string', enum: [...ROLLOUT_STATES, 'paused'] }, targetKind: { type: 'string', enum: ['deviceIds', 'query'] },
    total: nullable({ type: 'integer', description: 'null until a query target is resolved.' }), counters,
    currentWave: { type: 'integer', description: '1-based; 0 before the first batch.' }, waves: { type: 'array', items: { type: 'integer' } },
    rate: nullable({ type: 'object', properties: { maxPerMinute: { type: 'integer' }, exponential: exponentialRate } }),
    currentRate: nullable({ type: 'integer', description: 'Device starts per minute in force: the lowest of the rate, the ramp, the hub budget and any slow-down after a 429.' }),
    budget: nullable({
      type: 'object', description: 'The share of the hub\'s throttles the rollout paces to (IOTHUB_SKU, IOTHUB_UNITS, ROLLOUT_QUOTA_SHARE).',
      properties: { methodsPerSecond: { type: 'number' }, twinUpdatesPerSecond: { type: 'number' }, twinReadsPerSecond: { type: 'number' }, share: { type: 'number' } },
    }),
    eta: nullable({ type: 'string', format: 'date-time', description: 'Expected end; null while unknown or once over.' }),
    startAt: nullable({ type: 'string', format: 'date-time' }),
    cancelRequested: { type: 'boolean' }, forceCancel: { type: 'boolean' }, reason: nullable({ type: 'string' }),
    createdAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' },
    completedAt: nullable({ type: 'string', format: 'date-time' }),
    statusUrl: { type: 'string' }, devicesUrl: { type: 'string' }, cancelUrl: { type: 'string' }, pauseUrl: { type: 'string' },
    resumeUrl: { type: 'string' },
  };
  return {
    RolloutRequest: {
      type: 'object', required: ['operation', 'target'], additionalProperties: false,
      properties: {
        operation: { type: 'string', enum: [...OPERATION_KINDS] },
        parameters: { ...operationRequest, description: 'The single-device request body (firmwareUpdate needs payload.fwPackageUri).' },
        target: {
          type: 'object', description: 'Exactly one of deviceIds and query.', additionalProperties: false,
          properties: {
            deviceIds: { type: 'array', minItems: 1, maxItems: MAX_ROLLOUT_DEVICES, uniqueItems: true, items: { type: 'string' } },
            query: {
              type: 'object', additionalProperties: false, description: 'At least one filter; ANDed.',
              properties: {
                tags: { type: 'object', maxProperties: MAX_TARGET_TAGS, additionalProperties: { type: 'string' }, description: 'Tag path (a.b.c) → value.' },
                connectionState: { type: 'string', enum: ['Connected', 'Disconnected'] },
                deviceIdPrefix: { type: 'string' },
              },
            },
          },
        },
        waves: { type: 'array', maxItems: MAX_WAVES, items: { type: 'integer', minimum: 1, maximum: 100 },
          description: 'Cumulative percentages, strictly increasing; a final 100 is implied.' },
        abort: {
          type: 'array', maxItems: MAX_ABORT_RULES,
          items: {
            type: 'object', required: ['outcomes', 'thresholdPercent'], additionalProperties: false,
            properties: {
              outcomes: { type: 'array', minItems: 1, items: { type: 'string', enum: [...ABORT_OUTCOMES] } },
              thresholdPercent: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 100 },
              minExecuted: { type: 'integer', minimum: 1, maximum: MAX_ROLLOUT_DEVICES, default: 1 },
            },
          },
        },
        rate: {
          type: 'object', additionalProperties: false, required: ['maxPerMinute'],
          properties: { maxPerMinute: { type: 'integer', minimum: 1, maximum: MAX_RATE_PER_MINUTE }, exponential: exponentialRate },
        },
        perDevice: {
          type: 'object', additionalProperties: false, description: 'Per device: the operation\'s deadline and poll interval, and retries.',
          properties: {
            timeoutSeconds: { type: 'integer', minimum: 10, maximum: 86_400 },
            pollIntervalSeconds: { type: 'integer', minimum: 1, maximum: 300 },
            retries: {
              type: 'object', additionalProperties: false, required: ['maxAttempts', 'on'],
              properties: {
                maxAttempts: { type: 'integer', minimum: 1, maximum: MAX_DEVICE_ATTEMPTS, description: 'Attempts in all, the first included.' },
                on: { type: 'array', minItems: 1, items: { type: 'string', enum: [...RETRYABLE_OUTCOMES] }, description: 'Never Rejected or Failed.' },
              },
            },
          },
        },
        startAt: { type: 'string', format: 'date-time', description: `Scheduled start (state scheduled until then), at most ${MAX_START_DELAY_DAYS} days ahead.` },
        callbackUrl: {
          type: 'string', format: 'uri', maxLength: MAX_CALLBACK_URL_LENGTH, 'x-ms-notification-url': true, 'x-ms-visibility': 'internal',
          description: 'Optional completion callback: an https URL (Logic Apps: @{listCallbackUrl()}) that receives a POST with the rollout\'s final status. '
            + 'Private, loopback and link-local addresses are refused. Never returned or logged.',
        },
      },
    },
    RolloutCallback: {
      type: 'object', required: ['rolloutId', 'state', 'status'],
      description: 'POSTed to callbackUrl once when the rollout ends: the rollout status body (without its URLs) plus status.',
      properties: {
        ...Object.fromEntries(Object.entries(rollout).filter(([name]) => !name.endsWith('Url'))),
        status: { type: 'string', enum: [...CALLBACK_STATUSES], description: 'Succeeded (completed), Canceled, or Failed (aborted or failed).' },
      },
    },
    RolloutAccepted: {
      type: 'object', required: ['rolloutId', 'statusUrl'],
      properties: { rolloutId: { type: 'string' }, operation: { type: 'string' }, state: { type: 'string' }, total: nullable({ type: 'integer' }),
        startAt: nullable({ type: 'string', format: 'date-time' }), statusUrl: { type: 'string' }, devicesUrl: { type: 'string' },
        cancelUrl: { type: 'string' }, pauseUrl: { type: 'string' }, resumeUrl: { type: 'string' } },
    },
    Rollout: { type: 'object', required: ['rolloutId', 'state', 'counters'], properties: rollout },
    RolloutsPage: {
      type: 'object', required: ['rollouts'],
      properties: { rollouts: { type: 'array', items: ref('Rollout') }, continuationToken: nullable({ type: 'string' }) },
    },
    RolloutDevicesPage: {
      type: 'object', required: ['rolloutId', 'devices'],
      properties: {
        rolloutId: { type: 'string' },
        devices: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              deviceId: { type: 'string' }, ordinal: { type: 'integer' }, wave: { type: 'integer' },
              state: { type: 'string', enum: [...ROLLOUT_DEVICE_STATES] }, instanceId: nullable({ type: 'string' }),
              outcome: nullable({ type: 'string', enum: [...OUTCOMES] }), attempts: { type: 'integer' }, startedAt: nullable({ type: 'string', format: 'date-time' }),
              updatedAt: { type: 'string', format: 'date-time' },
            },
          },
        },
        continuationToken: nullable({ type: 'string' }),
      },
    },
  };
}
