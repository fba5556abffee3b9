// The Durable Functions HTTP management API (extension HttpApiHandler.HandleRequestAsync), served both
// under /runtime/webhooks/durabletask (system key) and on the local RPC base the JS client prefers.
// Status codes follow the extension source (research §3.2-3.3): 202 + Location + Retry-After while
// running, 200 when terminal (Failed too unless returnInternalServerErrorOnFailure=true), 404 unknown,
// 410 for operations on finished instances, 404 for a purge-by-filter that deleted nothing.
import type { ServerResponse } from 'node:http';
import { TERMINAL_STATUSES, type InstanceQuery, type InstanceRecord, type RuntimeStatus } from '../store/store';
import { managementUrls, type WebhookContext } from './clientBinding';
import { NotFailedError, OrchestrationAlreadyExistsError } from './clientOperations';
import type { DurableEngine } from './engine';
import { ENTITY_API_MESSAGE } from './unsupportedApis';
import { InvalidInstanceIdError, newGuidN, validateInstanceId } from './instanceIds';
import { statusPayload } from './statusProjection';

export interface DurableApiRequest {
  method: string;
  /** Path after the API base, already URL-decoded (WebUtility.UrlDecode), without leading slash. */
  path: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Origin used for the links in check-status responses. */
  linkOrigin: string;
}

const RUNTIME_STATUSES: RuntimeStatus[] = ['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Canceled', 'Terminated', 'Suspended'];
const DEFAULT_PAGE_SIZE = 100;

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, { 'content-length': '0', ...headers });
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  send(res, status, { Message: message });
}

/**
 * HttpRequestMessageExtensions.CreateErrorResponse(status, message, exception): the exception's message and
 * .NET type name travel in the body. StackTrace is null here: the host's own stack means nothing to a caller.
 */
function sendException(res: ServerResponse, status: number, message: string, err: Error & { exceptionType: string }): void {
  send(res, status, { Message: message, ExceptionMessage: err.message, ExceptionType: err.exceptionType, StackTrace: null });
}

/** HttpApiHandler.HandleRequestAsync: ArgumentException → 400, any other exception → 500. */
const BAD_ARGUMENTS = 'One or more of the arguments submitted is incorrect';
const SOMETHING_WENT_WRONG = 'Something went wrong while processing your request';

function bool(url: URL, name: string): boolean | undefined {
  const v = url.searchParams.get(name);
  if (v === null) return undefined;
  if (/^true$/i.test(v)) return true;
  if (/^false$/i.test(v)) return false;
  return undefined;
}

function date(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

function statuses(url: URL): RuntimeStatus[] | undefined {
  const values = url.searchParams.getAll('runtimeStatus').flatMap((v) => v.split(','));
  const parsed = values.map((v) => v.trim()).filter((v): v is RuntimeStatus => (RUNTIME_STATUSES as string[]).includes(v));
  return parsed.length > 0 ? parsed : undefined;
}

function isRunning(status: RuntimeStatus): boolean {
  return status === 'Running' || status === 'Pending' || status === 'ContinuedAsNew' || status === 'Suspended';
}

export class DurableHttpApi {
  constructor(private readonly engine: DurableEngine, private readonly ctx: WebhookContext) {}

  async handle(req: DurableApiRequest, res: ServerResponse): Promise<void> {
    try {
      await this.#route(req, res);
    } catch (err) {
      if (err instanceof InvalidInstanceIdError) return sendException(res, 400, BAD_ARGUMENTS, err);
      if (err instanceof OrchestrationAlreadyExistsError || err instanceof NotFailedError) return sendException(res, 500, SOMETHING_WENT_WRONG, err);
      sendError(res, 500, `${SOMETHING_WENT_WRONG}: ${(err as Error).message}`);
    }
  }

  async #route(req: DurableApiRequest, res: ServerResponse): Promise<void> {
    const segments = req.path.replace(/^\/+|\/+$/g, '').split('/');
    const [controller, first, second, third] = segments;
    if (controller === 'orchestrators' && first && segments.length <= 3) {
      if (req.method !== 'POST') return send(res, 404);
      return this.#start(req, res, first, second || undefined);
    }
    if (controller === 'instances') {
      if (!first) {
        if (req.method === 'GET') return this.#list(req, res);
        if (req.method === 'DELETE') return this.#purgeByFilter(req, res);
        return send(res, 404);
      }
      if (second === undefined || second === '') {
        if (req.method === 'GET') return this.#status(req, res, first);
        if (req.method === 'DELETE') return this.#purge(res, first);
        return send(res, 404);
      }
      if (second.toLowerCase() === 'raiseevent' && third) {
        if (req.method !== 'POST') return send(res, 404);
        return this.#raiseEvent(req, res, first, third);
      }
      if (req.method === 'POST' && segments.length === 3) {
        switch (second.toLowerCase()) {
          case 'terminate':
          case 'suspend':
          case 'resume':
            return this.#control(req, res, first, second.toLowerCase() as 'terminate' | 'suspend' | 'resume');
          case 'rewind':
            return this.#rewind(req, res, first);
          case 'restart':
            return this.#restart(req, res, first);
        }
      }
      return send(res, 404);
    }
    if (controller === 'entities') return sendError(res, 501, ENTITY_API_MESSAGE);
    return send(res, 404);
  }

  #checkStatusResponse(res: ServerResponse, instanceId: string, linkOrigin: string): void {
    const urls = managementUrls(this.ctx, instanceId, linkOrigin);
    send(
      res,
      202,
      {
        id: instanceId,
        statusQueryGetUri: urls.statusQueryGetUri,
        sendEventPostUri: urls.sendEventPostUri,
        terminatePostUri: urls.terminatePostUri,
        purgeHistoryDeleteUri: urls.purgeHistoryDeleteUri,
        restartPostUri: urls.restartPostUri,
        suspendPostUri: urls.suspendPostUri,
        resumePostUri: urls.resumePostUri,
      },
      { location: urls.statusQueryGetUri, 'retry-after': '10' },
    );
  }

  async #start(req: DurableApiRequest, res: ServerResponse, functionName: string, requestedId: string | undefined): Promise<void> {
    let input: string | null = null;
    const text = req.body.toString('utf8');
    if (text.length > 0) {
      try {
        JSON.parse(text);
      } catch {
        return sendError(res, 400, 'Invalid JSON content');
      }
      input = text;
    }
    if (!this.engine.hasOrchestrator(functionName)) {
      return sendError(res, 400, `One or more of the arguments submitted is incorrect: The function '${functionName}' doesn't exist, is disabled, or is not an orchestrator function.`);
    }
    const instanceId = requestedId || newGuidN();
    validateInstanceId(instanceId);
    // Refused starts (OrchestrationAlreadyExistsError) answer 500 through handle(), as the extension does.
    await this.engine.startOrchestration(functionName, instanceId, input, req.url.searchParams.get('version') ?? '');
    return this.#waitOrCheckStatus(req, res, instanceId);
  }

  async #waitOrCheckStatus(req: DurableApiRequest, res: ServerResponse, instanceId: string): Promise<void> {
    const timeout = Number(req.url.searchParams.get('timeout'));
    const interval = Number(req.url.searchParams.get('pollingInterval'));
    if (req.url.searchParams.has('timeout') && req.url.searchParams.has('pollingInterval') && timeout >= 0 && interval > 0) {
      const deadline = Date.now() + timeout * 1000;
      while (true) {
        const record = await this.engine.getInstance(instanceId);
        if (record?.runtimeStatus === 'Completed') return send(res, 200, JSON.parse(record.output ?? 'null') as unknown);
        if (record && (record.runtimeStatus === 'Failed' || record.runtimeStatus === 'Terminated' || record.runtimeStatus === 'Canceled')) {
          return this.#status(req, res, instanceId);
        }
        if (Date.now() >= deadline) break;
        await new Promise((resolve) => setTimeout(resolve, Math.min(interval * 1000, Math.max(0, deadline - Date.now()))));
      }
    }
    return this.#checkStatusResponse(res, instanceId, req.linkOrigin);
  }

  async #status(req: DurableApiRequest, res: ServerResponse, instanceId: string): Promise<void> {
    const record = await this.engine.getInstance(instanceId);
    if (!record) return send(res, 404);
    const showHistory = bool(req.url, 'showHistory') ?? false;
    const showInput = bool(req.url, 'showInput') ?? true;
    const payload = statusPayload(record, {
      showInput,
      history: showHistory ? await this.engine.getHistory(instanceId) : undefined,
      showHistoryOutput: bool(req.url, 'showHistoryOutput') ?? false,
    });
    if (isRunning(record.runtimeStatus)) return send(res, 202, payload, { location: req.url.href, 'retry-after': '5' });
    if (record.runtimeStatus === 'Failed' && bool(req.url, 'returnInternalServerErrorOnFailure') === true) return send(res, 500, payload);
    return send(res, 200, payload);
  }

  async #list(req: DurableApiRequest, res: ServerResponse): Promise<void> {
    const top = Number(req.url.searchParams.get('top'));
    const token = req.headers['x-ms-continuation-token'];
    const query: InstanceQuery = {
      createdTimeFrom: date(req.url, 'createdTimeFrom'),
      createdTimeTo: date(req.url, 'createdTimeTo'),
      runtimeStatus: statuses(req.url),
      instanceIdPrefix: req.url.searchParams.get('instanceIdPrefix') ?? undefined,
      pageSize: Number.isInteger(top) && top > 0 ? top : DEFAULT_PAGE_SIZE,
      continuationToken: typeof token === 'string' && token !== '' ? token : undefined,
    };
    const showInput = bool(req.url, 'showInput') ?? true;
    const page = await this.engine.queryInstances(query);
    const body = page.instances.map((r: InstanceRecord) => statusPayload(r, { showInput }));
    // The header is left out on the last page: an empty value makes clients loop (research §6.11).
    send(res, 200, body, page.continuationToken ? { 'x-ms-continuation-token': page.continuationToken } : {});
  }

  async #purge(res: ServerResponse, instanceId: string): Promise<void> {
    const record = await this.engine.getInstance(instanceId);
    if (!record) return send(res, 404);
    if (!TERMINAL_STATUSES.has(record.runtimeStatus)) {
      return send(res, 412, `Only orchestrations in a terminal state can be purged, but the orchestration with instance ID ${instanceId} has status ${record.runtimeStatus}`);
    }
    const deleted = await this.engine.purge(instanceId);
    return send(res, 200, { instancesDeleted: deleted ? 1 : 0 });
  }

  async #purgeByFilter(req: DurableApiRequest, res: ServerResponse): Promise<void> {
    const from = date(req.url, 'createdTimeFrom');
    if (from === undefined) return send(res, 400, "Please provide value for 'createdTimeFrom' parameter.");
    const query: InstanceQuery = { createdTimeFrom: from, createdTimeTo: date(req.url, 'createdTimeTo') ?? Date.now(), runtimeStatus: statuses(req.url), pageSize: 500 };
    let deleted = 0;
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.engine.queryInstances({ ...query, continuationToken: token });
      ids.push(...page.instances.map((r) => r.instanceId));
      token = page.continuationToken;
    } while (token);
    for (const id of ids) if (await this.engine.purge(id)) deleted++;
    if (deleted === 0) return send(res, 404);
    return send(res, 200, { instancesDeleted: deleted });
  }

  async #raiseEvent(req: DurableApiRequest, res: ServerResponse, instanceId: string, eventName: string): Promise<void> {
    const record = await this.engine.getInstance(instanceId);
    if (!record) return send(res, 404);
    if (TERMINAL_STATUSES.has(record.runtimeStatus)) return send(res, 410);
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/json') return sendError(res, 400, 'Only application/json request content is supported');
    const text = req.body.toString('utf8');
    let input: string | null = null;
    if (text.trim().length > 0) {
      try {
        input = JSON.stringify(JSON.parse(text));
      } catch {
        return sendError(res, 400, 'Invalid JSON content');
      }
    }
    await this.engine.raiseEvent(instanceId, eventName, input);
    return send(res, 202);
  }

  async #control(req: DurableApiRequest, res: ServerResponse, instanceId: string, operation: 'terminate' | 'suspend' | 'resume'): Promise<void> {
    const record = await this.engine.getInstance(instanceId);
    if (!record) return send(res, 404);
    if (TERMINAL_STATUSES.has(record.runtimeStatus)) return send(res, 410);
    const reason = req.url.searchParams.get('reason');
    if (operation === 'terminate') await this.engine.terminate(instanceId, reason);
    else if (operation === 'suspend') await this.engine.suspend(instanceId, reason);
    else await this.engine.resume(instanceId, reason);
    return send(res, 202);
  }

  async #rewind(req: DurableApiRequest, res: ServerResponse, instanceId: string): Promise<void> {
    const record = await this.engine.getInstance(instanceId);
    // HandleRewindInstanceRequestAsync: empty 404 and 410 (the JS client then uses its own messages);
    // other non-failed states reach DurableClient.RewindAsync's InvalidOperationException (500).
    if (!record) return send(res, 404);
    if (record.runtimeStatus === 'Completed' || record.runtimeStatus === 'Terminated' || record.runtimeStatus === 'Canceled') return send(res, 410);
    await this.engine.rewind(instanceId, req.url.searchParams.get('reason'));
    return send(res, 202);
  }

  async #restart(req: DurableApiRequest, res: ServerResponse, instanceId: string): Promise<void> {
    const record = await this.engine.getInstance(instanceId);
    if (!record) return sendError(res, 400, 'InstanceId does not match a valid orchestration instance.');
    const newId = bool(req.url, 'restartWithNewInstanceId') === false ? instanceId : newGuidN();
    // RestartAsync starts through StartNewAsync: a running instance kept under its id is refused with 500.
    await this.engine.startOrchestration(record.name, newId, record.input, record.version);
    return this.#waitOrCheckStatus(req, res, newId);
  }
}
