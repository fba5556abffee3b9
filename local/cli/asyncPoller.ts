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

/** Takes the first answer (normally the 202 of the start request) and follows it to the final one. */
export async function followAsyncOperation(first: Response, options: FollowOptions = {}): Promise<PollObservation> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  let response = first;
  let polls = 0;
  for (;;) {
    const retryAfterHeader = response.headers.get('retry-after');
    const observation: PollObservation = {
      status: response.status,
      body: await readBody(response),
      retryAfterSeconds: retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : undefined,
      location: response.headers.get('location') ?? undefined,
      polls,
    };
    options.onPoll?.(observation);
    if (observation.status !== 202) return observation;
    if (!observation.location) throw new Error('A 202 answer without a Location header cannot be followed.');
    const waitSeconds = Math.min(observation.retryAfterSeconds ?? options.defaultRetryAfterSeconds ?? 20, options.maxRetryAfterSeconds ?? 60);
    if (Date.now() + waitSeconds * 1000 > deadline) throw new PollTimeoutError(`Still 202 after ${polls} polls; gave up at the deadline.`);
    await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
    polls += 1;
    response = await fetch(observation.location);
  }
}
