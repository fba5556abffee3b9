// Retry tracking for callActivityWithRetry / callSubOrchestratorWithRetry, as DTFx's RetryInterceptor and the
// JS library's RetryableTask see it: a failed attempt gets a retry timer (after every failed attempt, the last
// one included, because durable-functions counts attempts on that timer); a fired retry timer schedules the
// next attempt with a new sequence id, or ends the policy when the attempts are used up; a success ends it.
import { scheduleCall, scheduleTimer, type EpisodeContext } from './actionTranslation';
import { completedTaskId, EventType, type HistoryEvent } from './history';
import { retryDelayMs, retryTimeoutExpired } from './retry';

/**
 * Applies one delivered event to the work the host owes the orchestrator (the completed task is no longer
 * pending) and to its retry policy. Returns a failure message when the policy's retry timeout has expired.
 */
export function trackCompletion(ctx: EpisodeContext, event: HistoryEvent): string | undefined {
  const { engine } = ctx;
  const id = completedTaskId(event);
  if (id === undefined) return undefined;
  const work = engine.pending[String(id)];
  delete engine.pending[String(id)];
  if (!work || work.retryKey === undefined) return undefined;
  const retryKey = work.retryKey;
  const retry = engine.retries[String(retryKey)];
  if (!retry) return undefined;
  if (work.kind === 'retryTimer') {
    if (retry.failures >= retry.options.maxNumberOfAttempts) {
      delete engine.retries[String(retryKey)]; // attempts exhausted: the JS now fails the task
    } else {
      scheduleCall(ctx, engine.nextId++, retry, retryKey);
    }
    return undefined;
  }
  const failed = event.EventType === EventType.TaskFailed || event.EventType === EventType.SubOrchestrationInstanceFailed;
  if (!failed) {
    delete engine.retries[String(retryKey)];
    return undefined;
  }
  retry.failures++;
  const timerId = engine.nextId++;
  scheduleTimer(ctx, timerId, new Date(ctx.now + retryDelayMs(retry.options, retry.failures - 1)).toISOString(), retryKey);
  if (!retryTimeoutExpired(retry.options, retry.firstAttemptAt, ctx.now)) return undefined;
  return (
    `Retry timeout of ${retry.options.retryTimeoutInMilliseconds} ms expired for '${retry.name}' after ${retry.failures} attempt(s). ` +
    'DTFx stops retrying without a timer here and durable-functions would wait forever (Azure/azure-functions-durable-js#629); the local host fails the instance instead.'
  );
}
