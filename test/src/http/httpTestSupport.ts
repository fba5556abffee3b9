// Shared pieces of the HTTP handler tests: real HttpRequest/InvocationContext objects and response accessors.
import { InvocationContext, type HttpResponseInit } from '@azure/functions';
import type { RetryPolicies } from '../../../src/orchestrations/deviceOperationInput';

export const BASE = 'http://localhost:7071/api';

const SPEC = { firstRetryIntervalMs: 1000, maxAttempts: 3, backoffCoefficient: 2, maxRetryIntervalMs: 10_000 };
export const RETRY: RetryPolicies = { invoke: SPEC, read: SPEC, record: SPEC };

/** An invocation context whose log lines land in `logs` (when given). */
export function context(name = 'test', logs?: string[]): InvocationContext {
  return new InvocationContext({ functionName: name, invocationId: `${name}-inv`, logHandler: (_level, ...args) => logs?.push(args.join(' ')) });
}

export const body = (response: HttpResponseInit): Record<string, unknown> => response.jsonBody as Record<string, unknown>;
export const headers = (response: HttpResponseInit): Record<string, string> => (response.headers ?? {}) as Record<string, string>;
export const errorOf = (response: HttpResponseInit): { code: string; message: string; target?: string } =>
  (response.jsonBody as { error: { code: string; message: string; target?: string } }).error;
