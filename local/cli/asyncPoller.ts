// Follows an asynchronous operation the way the Azure Logic Apps HTTP action does: after a 202, GET the
// `Location` URL as-is (no headers of our own), wait `Retry-After` seconds between polls, and stop at the first
// answer that is not 202 (docs: logic-apps-create-api-app.md, "asynchronous polling pattern").
export interface PollObservation {
  status: number;
  body: unknown;
  retryAfterSeconds: number | undefined;
  location: string | undefined;
  polls: number;
}

export interface FollowOptions {
  /** Called after every answer, 202s included. */
  onPoll?: (observation: PollObservation) => void;
  /** Stop waiting after this long (the Logic Apps action has a limit too). */
  timeoutMs?: number;
  /** Used when an answer has no Retry-After (Logic Apps: 20 s); tests pass a small value. */
  defaultRetryAfterSeconds?: number;
  /** Upper bound on one wait, so a misconfigured server cannot stall the caller. */
  maxRetryAfterSeconds?: number;
}

export class PollTimeoutError extends Error {}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3); a date in the past means now. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // All three HTTP-date forms start with the day name; Date.parse alone would take "-3" for a year.
  const date = /^[A-Za-z]{3}/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Takes the first answer (normally the 202 of the start request) and follows it to the final one. */
export async function followAsyncOperation(first: Response, options: FollowOptions = {}): Promise<PollObservation> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  let response = first;
  let polls = 0;
  for (;;) {
    const observation: PollObservation = {
      status: response.status,
      body: await readBody(response),
      retryAfterSeconds: retryAfterSeconds(response.headers.get('retry-after')),
      location: response.headers.get('location') ?? undefined,
      polls,
    };
    options.onPoll?.(observation);
    if (observation.status !== 202) return observation;
    if (!observation.location) throw new Error('A 202 answer without a Location header cannot be followed.');
    // An absolute Location is used as it is; a relative one is resolved against the answer that carried it.
    const next = response.url ? new URL(observation.location, response.url).href : observation.location;
    const waitSeconds = Math.min(observation.retryAfterSeconds ?? options.defaultRetryAfterSeconds ?? 20, options.maxRetryAfterSeconds ?? 60);
    if (Date.now() + waitSeconds * 1000 > deadline) throw new PollTimeoutError(`Still 202 after ${polls} polls; gave up at the deadline.`);
    await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
    polls += 1;
    try {
      // The deadline bounds a status request that hangs, too.
      response = await fetch(next, { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') throw new PollTimeoutError(`Poll ${polls} got no answer before the deadline.`);
      throw err;
    }
  }
}
