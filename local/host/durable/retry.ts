// Retry policy of callActivityWithRetry / callSubOrchestratorWithRetry as DTFx's RetryInterceptor
// computes it (research §2.4): after failed attempt k (0-based) wait
// firstRetryInterval * backoffCoefficient^k, capped at maxRetryInterval; a timer follows every failed
// attempt, including the last one, because durable-functions counts attempts on that timer.

export interface RetryOptionsJson {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export function retryDelayMs(options: RetryOptionsJson, failedAttemptIndex: number): number {
  const coefficient = typeof options.backoffCoefficient === 'number' && options.backoffCoefficient > 0 ? options.backoffCoefficient : 1;
  let delay = options.firstRetryIntervalInMilliseconds * Math.pow(coefficient, failedAttemptIndex);
  if (typeof options.maxRetryIntervalInMilliseconds === 'number' && options.maxRetryIntervalInMilliseconds > 0) {
    delay = Math.min(delay, options.maxRetryIntervalInMilliseconds);
  }
  return Math.max(0, Math.round(delay));
}

/**
 * DTFx stops retrying without a timer once retryTimeout has passed, and durable-functions then waits
 * forever (Azure/azure-functions-durable-js#629). The host reports that as a failure instead.
 */
export function retryTimeoutExpired(options: RetryOptionsJson, firstAttemptAt: number, now: number): boolean {
  return typeof options.retryTimeoutInMilliseconds === 'number' && options.retryTimeoutInMilliseconds > 0 && now - firstAttemptAt >= options.retryTimeoutInMilliseconds;
}
