// Activity input/output/failure encodings of the extension's legacy out-of-proc protocol (research §4).
import type { RpcTypedData } from '../rpc/types';
import type { InvocationError } from '../worker/protocol';
import type { FailureDetailsPayload } from './history';

/** The action's `input` as the activity receives it: strings are already JSON text (Utils.processInput). */
export function activityInputData(input: unknown): RpcTypedData | undefined {
  if (input === undefined) return undefined;
  return { string: typeof input === 'string' ? input : JSON.stringify(input) };
}

/** TaskCompleted.Result: the .NET host's ToObject then Json.NET; string results are not JSON-parsed. */
export function activityResult(returnValue: RpcTypedData | null | undefined): string | null {
  if (!returnValue) return null;
  if (typeof returnValue.string === 'string') return JSON.stringify(returnValue.string);
  if (typeof returnValue.json === 'string') return returnValue.json;
  if (typeof returnValue.int === 'number') return JSON.stringify(returnValue.int);
  if (typeof returnValue.double === 'number') return JSON.stringify(returnValue.double);
  const bytes = returnValue.bytes ?? returnValue.stream;
  // byte[] serializes as a base64 string in Json.NET.
  if (bytes) return JSON.stringify(Buffer.from(bytes).toString('base64'));
  return null;
}

interface ExceptionPropertiesPayload {
  errorType: string;
  errorMessage: string;
  isNonRetriable?: boolean;
  properties?: Record<string, unknown>;
  stackTrace?: string;
}

/** durable-functions 3.5 replaces err.message with this JSON when an exception properties provider is set. */
function parseExceptionProperties(message: string): ExceptionPropertiesPayload | undefined {
  if (!message.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(message) as Partial<ExceptionPropertiesPayload>;
    if (typeof parsed.errorType === 'string' && typeof parsed.errorMessage === 'string') return parsed as ExceptionPropertiesPayload;
  } catch {
    // not the payload
  }
  return undefined;
}

export interface ActivityFailure {
  reason: string;
  details: string;
  failureDetails: FailureDetailsPayload | null;
}

/** TaskFailed fields the extension derives from a failed invocation (TaskActivityShim / OutOfProcExceptionHelpers). */
export function activityFailure(functionName: string, error: InvocationError): ActivityFailure {
  const payload = parseExceptionProperties(error.message);
  if (payload) {
    return {
      reason: `Activity function '${functionName}' failed: ${payload.errorMessage}`,
      details: payload.stackTrace ?? '',
      failureDetails: {
        ErrorType: payload.errorType,
        ErrorMessage: payload.errorMessage,
        StackTrace: payload.stackTrace ?? null,
        IsNonRetriable: payload.isNonRetriable ?? false,
        Properties: payload.properties ?? null,
        InnerFailure: null,
      },
    };
  }
  return {
    reason: `Activity function '${functionName}' failed: ${error.message}`,
    details: error.stack ?? `${error.name}: ${error.message}`,
    failureDetails: null,
  };
}
