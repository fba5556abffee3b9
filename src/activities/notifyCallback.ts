// Activity: one attempt at the completion callback. Reads the URL from the callback store (absent = unsubscribed:
// nothing is sent), POSTs the final status, and says what happened. It never throws for the receiver's answer or
// a network failure, so the orchestration decides about retries (bounded, with backoff, on durable timers). The row
// is deleted once the callback is delivered, refused (a 4xx other than 408/429, a blocked address) or given up
// after the last attempt. Logs name the instance and the HTTP status, never the URL.
import type { CallbackStore } from '../domain/callbacks/callbackStore';
import { CallbackBlockedError, type CallbackSender } from '../adapters/callbacks/httpCallbackSender';
import type { NotifyInput, NotifyResult } from './contracts';

export interface NotifyDependencies {
  callbacks: CallbackStore;
  send: CallbackSender;
  log?: (line: string) => void;
}

export async function notifyCallback(input: NotifyInput, deps: NotifyDependencies): Promise<NotifyResult> {
  const log = deps.log ?? (() => undefined);
  const url = await deps.callbacks.read(input.key, input.instanceId);
  if (url === null) {
    log(`Callback of ${input.instanceId}: unsubscribed, nothing sent.`);
    return { kind: 'unsubscribed' };
  }
  let result: NotifyResult;
  try {
    const status = await deps.send(url, input.body);
    if (status >= 200 && status < 300) result = { kind: 'delivered', status };
    else if (status === 408 || status === 429 || status >= 500) result = { kind: 'retry', reason: `HTTP ${status}` };
    else result = { kind: 'refused', reason: `HTTP ${status}` };
  } catch (err) {
    result = err instanceof CallbackBlockedError
      ? { kind: 'refused', reason: err.message }
      : { kind: 'retry', reason: err instanceof Error ? err.message : 'network error' };
  }
  log(`Callback of ${input.instanceId}, attempt ${input.attempt}: ${result.kind}${'status' in result ? ` (HTTP ${result.status})` : ` (${result.reason})`}.`);
  if (result.kind !== 'retry' || input.lastAttempt) await deps.callbacks.remove(input.key, input.instanceId);
  return result;
}
