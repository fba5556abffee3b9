// The body of POST /api/rollouts, validated field by field; every mistake names its field (dotted path) and rule.
//   { operation, parameters?, target: { deviceIds: [...] } | { query: { tags?, connectionState?, deviceIdPrefix? } },
//     waves?: [cumulative percentages], abort?: [{ outcomes, thresholdPercent, minExecuted? }],
//     rate?: { maxPerMinute, exponential?: { baseRatePerMinute, incrementFactor, afterSucceeded } },
//     perDevice?: { timeoutSeconds?, pollIntervalSeconds?, retries?: { maxAttempts, on: [TimedOut, DeviceOffline] } },
//     startAt?: ISO time }
import { deviceIdProblem } from '../deviceId';
import { parseOperationRequest, type OperationRequest } from '../operationRequest';
import { operationDefinition } from '../operations/registry';
import { isOperationKind, OPERATION_KINDS, type OperationKind } from '../operations/operationKind';
import { OUTCOMES, type Outcome } from '../outcomes';
import { invalid, RequestError } from '../requestError';
import type { RolloutRate } from './rolloutRamp';
import { MAX_DEVICE_ATTEMPTS, NO_RETRIES, RETRYABLE_OUTCOMES, type DeviceRetries, type RetryableOutcome } from './rolloutRetries';
import { hasControlCharacters, printable } from '../text';
import type { AbortRule } from './rolloutAbort';
import type { RolloutTargetQuery } from './rolloutTargetQuery';
import { MAX_WAVES } from './rolloutWaves';

export const MAX_ROLLOUT_DEVICES = 10_000;
export const MAX_ABORT_RULES = 10;
export const MAX_TARGET_TAGS = 5;
export const MAX_RATE_PER_MINUTE = 60_000;
/** startAt may lie this far in the past (clock skew, a slow client) and is then treated as now. */
export const START_AT_TOLERANCE_MS = 60_000;
/** startAt at most this far ahead. */
export const MAX_START_DELAY_DAYS = 30;
const TAG_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,4}$/;
const MAX_TAG_VALUE_LENGTH = 256;
/** Outcomes an abort rule may count: every outcome but success. */
export const ABORT_OUTCOMES: readonly Outcome[] = OUTCOMES.filter((o) => o !== 'Succeeded');

export type RolloutTarget = { kind: 'deviceIds'; deviceIds: string[] } | { kind: 'query'; query: RolloutTargetQuery };

export interface RolloutSpec {
  operation: OperationKind;
  request: OperationRequest;
  target: RolloutTarget;
  /** Cumulative percentages, strictly increasing, ending at 100 ([100] when none were given). */
  waves: number[];
  abort: AbortRule[];
  rate: RolloutRate | null;
  retries: DeviceRetries;
  /** ISO time of a scheduled start; null to start now. */
  startAt: string | null;
}

const BODY_FIELDS = ['operation', 'parameters', 'target', 'waves', 'abort', 'rate', 'perDevice', 'startAt'];

/** `now` (ms since epoch) bounds startAt. */
export function parseRolloutRequest(body: unknown, now = Date.now()): RolloutSpec {
  const fields = object(body, 'body', 'The request body must be a JSON object.');
  known(fields, BODY_FIELDS, '');
  if (fields.operation === undefined) throw invalid('operation', `operation is required: one of ${OPERATION_KINDS.join(', ')}.`);
  if (typeof fields.operation !== 'string' || !isOperationKind(fields.operation)) {
    throw invalid('operation', `operation must be one of ${OPERATION_KINDS.join(', ')}.`);
  }
  const operation = fields.operation;
  let request: OperationRequest;
  try {
    request = parseOperationRequest(fields.parameters === undefined ? undefined : object(fields.parameters, 'parameters',
      'parameters must be a JSON object (the single-device request body).'), operationDefinition(operation).payloadRule);
  } catch (err) {
    if (err instanceof RequestError && !err.target.startsWith('parameters')) {
      throw new RequestError(err.problem, err.code, err.message, `parameters.${err.target}`);
    }
    throw err;
  }
  const target = parseTarget(fields.target);
  const waves = parseWaves(fields.waves);
  const abort = parseAbort(fields.abort);
  const rate = parseRate(fields.rate);
  const perDevice = parsePerDevice(fields.perDevice, request);
  return { operation, request: perDevice.request, target, waves, abort, rate, retries: perDevice.retries, startAt: parseStartAt(fields.startAt, now) };
}

function parseTarget(value: unknown): RolloutTarget {
  if (value === undefined) throw invalid('target', 'target is required: { "deviceIds": [...] } or { "query": {...} }.');
  const target = object(value, 'target', 'target must be a JSON object: { "deviceIds": [...] } or { "query": {...} }.');
  known(target, ['deviceIds', 'query'], 'target.');
  const hasIds = target.deviceIds !== undefined;
  const hasQuery = target.query !== undefined;
  if (hasIds === hasQuery) throw invalid('target', 'target must have exactly one of deviceIds and query.');
  if (hasIds) {
    const ids = target.deviceIds;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_ROLLOUT_DEVICES) {
      throw invalid('target.deviceIds', `target.deviceIds must be an array of 1–${MAX_ROLLOUT_DEVICES} device ids.`);
    }
    const seen = new Set<string>();
    ids.forEach((id: unknown, i) => {
      const problem = deviceIdProblem(id);
      if (problem !== undefined) throw invalid(`target.deviceIds[${i}]`, problem);
      if (seen.has(id as string)) throw invalid(`target.deviceIds[${i}]`, `Device '${printable(id as string)}' is listed more than once.`);
      seen.add(id as string);
    });
    return { kind: 'deviceIds', deviceIds: ids as string[] };
  }
  const query = object(target.query, 'target.query', 'target.query must be a JSON object.');
  known(query, ['tags', 'connectionState', 'deviceIdPrefix'], 'target.query.');
  const result: RolloutTargetQuery = { tags: [] };
  if (query.tags !== undefined) {
    const tags = object(query.tags, 'target.query.tags', 'target.query.tags must be an object of tag name → string value.');
    const entries = Object.entries(tags);
    if (entries.length > MAX_TARGET_TAGS) throw invalid('target.query.tags', `target.query.tags may hold at most ${MAX_TARGET_TAGS} tags.`);
    for (const [name, tagValue] of entries) {
      if (!TAG_NAME.test(name)) {
        throw invalid(`target.query.tags.${printable(name)}`,
          'A tag name must be up to 5 dot-separated names of letters, digits and \'_\' (not starting with a digit).');
      }
      if (typeof tagValue !== 'string' || tagValue.length === 0 || tagValue.length > MAX_TAG_VALUE_LENGTH || hasControlCharacters(tagValue)) {
        throw invalid(`target.query.tags.${name}`, `A tag value must be a string of 1–${MAX_TAG_VALUE_LENGTH} characters without control characters.`);
      }
      result.tags.push({ name, value: tagValue });
    }
  }
  if (query.connectionState !== undefined) {
    if (query.connectionState !== 'Connected' && query.connectionState !== 'Disconnected') {
      throw invalid('target.query.connectionState', 'target.query.connectionState must be Connected or Disconnected.');
    }
    result.connectionState = query.connectionState;
  }
  if (query.deviceIdPrefix !== undefined) {
    const problem = deviceIdProblem(query.deviceIdPrefix);
    if (problem !== undefined) throw invalid('target.query.deviceIdPrefix', problem.replace('The device id', 'deviceIdPrefix'));
    result.deviceIdPrefix = query.deviceIdPrefix as string;
  }
  if (result.tags.length === 0 && result.connectionState === undefined && result.deviceIdPrefix === undefined) {
    throw invalid('target.query', 'target.query needs at least one filter (tags, connectionState or deviceIdPrefix); a rollout never targets the whole hub by accident.');
  }
  return { kind: 'query', query: result };
}

function parseWaves(value: unknown): number[] {
  if (value === undefined) return [100];
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_WAVES) {
    throw invalid('waves', `waves must be an array of 1–${MAX_WAVES} cumulative percentages.`);
  }
  let previous = 0;
  value.forEach((p: unknown, i) => {
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 100) throw invalid(`waves[${i}]`, 'A wave is an integer percentage from 1 to 100.');
    if (p <= previous) throw invalid(`waves[${i}]`, 'waves are cumulative percentages and must increase strictly.');
    previous = p;
  });
  const waves = value as number[];
  return waves[waves.length - 1] === 100 ? waves : [...waves, 100];
}

function parseAbort(value: unknown): AbortRule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_ABORT_RULES) throw invalid('abort', `abort must be an array of at most ${MAX_ABORT_RULES} rules.`);
  return value.map((item: unknown, i) => {
    const at = `abort[${i}]`;
    const rule = object(item, at, `${at} must be an object { outcomes, thresholdPercent, minExecuted? }.`);
    known(rule, ['outcomes', 'thresholdPercent', 'minExecuted'], `${at}.`);
    const outcomes = rule.outcomes;
    if (!Array.isArray(outcomes) || outcomes.length === 0 || outcomes.some((o) => typeof o !== 'string' || !ABORT_OUTCOMES.includes(o as Outcome))) {
      throw invalid(`${at}.outcomes`, `${at}.outcomes must be a non-empty array of ${ABORT_OUTCOMES.join(', ')}.`);
    }
    const threshold = rule.thresholdPercent;
    if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0 || threshold > 100) {
      throw invalid(`${at}.thresholdPercent`, `${at}.thresholdPercent must be a number above 0 and at most 100.`);
    }
    const minExecuted = rule.minExecuted ?? 1;
    if (typeof minExecuted !== 'number' || !Number.isInteger(minExecuted) || minExecuted < 1 || minExecuted > MAX_ROLLOUT_DEVICES) {
      throw invalid(`${at}.minExecuted`, `${at}.minExecuted must be an integer from 1 to ${MAX_ROLLOUT_DEVICES} (default 1).`);
    }
    return { outcomes: [...new Set(outcomes as Outcome[])], thresholdPercent: threshold, minExecuted };
  });
}

function parseRate(value: unknown): RolloutRate | null {
  if (value === undefined) return null;
  const rate = object(value, 'rate', 'rate must be an object { maxPerMinute, exponential? }.');
  known(rate, ['maxPerMinute', 'exponential'], 'rate.');
  const max = rate.maxPerMinute;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_RATE_PER_MINUTE) {
    throw invalid('rate.maxPerMinute', `rate.maxPerMinute must be an integer from 1 to ${MAX_RATE_PER_MINUTE}${rate.exponential === undefined ? '' : ' (required with exponential, it caps the ramp)'}.`);
  }
  if (rate.exponential === undefined) return { maxPerMinute: max };
  // As AWS IoT Jobs' ExponentialRolloutRate: base ≥ 1 and not above the cap, factor 1.1–5 with one decimal.
  const exp = object(rate.exponential, 'rate.exponential', 'rate.exponential must be an object { baseRatePerMinute, incrementFactor, afterSucceeded }.');
  known(exp, ['baseRatePerMinute', 'incrementFactor', 'afterSucceeded'], 'rate.exponential.');
  const base = exp.baseRatePerMinute;
  if (typeof base !== 'number' || !Number.isInteger(base) || base < 1 || base > max) {
    throw invalid('rate.exponential.baseRatePerMinute', `rate.exponential.baseRatePerMinute must be an integer from 1 to rate.maxPerMinute (${max}).`);
  }
  const factor = exp.incrementFactor;
  if (typeof factor !== 'number' || factor < 1.1 || factor > 5 || Math.abs(factor * 10 - Math.round(factor * 10)) > 1e-9) {
    throw invalid('rate.exponential.incrementFactor', 'rate.exponential.incrementFactor must be a number from 1.1 to 5 with at most one decimal.');
  }
  const after = exp.afterSucceeded;
  if (typeof after !== 'number' || !Number.isInteger(after) || after < 1 || after > MAX_ROLLOUT_DEVICES) {
    throw invalid('rate.exponential.afterSucceeded', `rate.exponential.afterSucceeded must be an integer from 1 to ${MAX_ROLLOUT_DEVICES}.`);
  }
  return { maxPerMinute: max, exponential: { baseRatePerMinute: base, incrementFactor: Math.round(factor * 10) / 10, afterSucceeded: after } };
}

/** perDevice: the device operations' own deadline and poll interval (as in the single-device body), and retries. */
function parsePerDevice(value: unknown, request: OperationRequest): { request: OperationRequest; retries: DeviceRetries } {
  if (value === undefined) return { request, retries: NO_RETRIES };
  const perDevice = object(value, 'perDevice', 'perDevice must be an object { timeoutSeconds?, pollIntervalSeconds?, retries? }.');
  known(perDevice, ['timeoutSeconds', 'pollIntervalSeconds', 'retries'], 'perDevice.');
  const next = { ...request };
  for (const name of ['timeoutSeconds', 'pollIntervalSeconds'] as const) {
    if (perDevice[name] === undefined) continue;
    try {
      next[name] = parseOperationRequest({ [name]: perDevice[name] })[name];
    } catch (err) {
      if (err instanceof RequestError) throw invalid(`perDevice.${name}`, `perDevice.${err.message}`);
      throw err;
    }
  }
  if (next.pollIntervalSeconds > next.timeoutSeconds) {
    throw invalid('perDevice.pollIntervalSeconds', `pollIntervalSeconds (${next.pollIntervalSeconds}) must not exceed timeoutSeconds (${next.timeoutSeconds}).`);
  }
  if (perDevice.retries === undefined) return { request: next, retries: NO_RETRIES };
  const retries = object(perDevice.retries, 'perDevice.retries', 'perDevice.retries must be an object { maxAttempts, on }.');
  known(retries, ['maxAttempts', 'on'], 'perDevice.retries.');
  const attempts = retries.maxAttempts;
  if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 1 || attempts > MAX_DEVICE_ATTEMPTS) {
    throw invalid('perDevice.retries.maxAttempts', `perDevice.retries.maxAttempts must be an integer from 1 to ${MAX_DEVICE_ATTEMPTS} (attempts in all, the first included).`);
  }
  const on = retries.on;
  if (!Array.isArray(on) || on.length === 0) {
    throw invalid('perDevice.retries.on', `perDevice.retries.on must be a non-empty array of ${RETRYABLE_OUTCOMES.join(', ')}.`);
  }
  on.forEach((outcome: unknown, i) => {
    if (typeof outcome !== 'string' || !(RETRYABLE_OUTCOMES as readonly string[]).includes(outcome)) {
      throw invalid(`perDevice.retries.on[${i}]`, `perDevice.retries.on may hold only ${RETRYABLE_OUTCOMES.join(', ')}: a device that `
        + 'Rejected the action or reported a failure would answer the same way again.');
    }
  });
  return { request: next, retries: { maxAttempts: attempts, on: [...new Set(on as RetryableOutcome[])] } };
}

function parseStartAt(value: unknown, now: number): string | null {
  if (value === undefined || value === null) return null;
  const at = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) throw invalid('startAt', 'startAt must be an ISO 8601 date-time with a time zone, e.g. 2030-01-01T02:00:00Z.');
  if (at < now - START_AT_TOLERANCE_MS) throw invalid('startAt', 'startAt is in the past; leave it out to start now.');
  if (at > now + MAX_START_DELAY_DAYS * 86_400_000) throw invalid('startAt', `startAt must be at most ${MAX_START_DELAY_DAYS} days ahead.`);
  return at <= now ? null : new Date(at).toISOString();
}

function object(value: unknown, field: string, message: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, message);
  return value as Record<string, unknown>;
}

function known(fields: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
  for (const name of Object.keys(fields)) {
    if (!allowed.includes(name)) {
      throw invalid(`${prefix}${printable(name)}`, `Unknown field '${prefix}${printable(name)}'. Allowed: ${allowed.join(', ')}.`);
    }
  }
}
