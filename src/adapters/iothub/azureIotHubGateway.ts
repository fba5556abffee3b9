// IotHubGateway on the unmodified azure-iothub service SDK.
import type { Client, Registry } from 'azure-iothub';
import { classifyHubFailure, classifyMethodFailure, describeHubFailure } from '../../domain/hubErrors';
import { isAcceptedStatus, type HubMethodResult, type MethodRequest, type MethodResponse } from '../../domain/methodInvocation';
import type { ConnectionInfo, FleetQuery, IotHubGateway, StatusCount, TwinReadResult } from '../../domain/ports';
import { HubRequestError, TransientHubError } from '../../domain/ports';
import { buildStatusQuery, COUNT_ALIAS, STATUS_ALIAS } from '../../domain/fleetReport';
import { hubTimeFromHeaders, toHubFailure } from './hubFailure';
import type { ServiceClients } from './serviceClients';
import { connectionState, toReportedSection } from './twinMapping';

/** Device.connectionStateUpdatedTime of the identity (the twin does not carry it). */
interface DeviceIdentity { connectionState?: unknown; connectionStateUpdatedTime?: unknown }

export interface GatewayOptions {
  /** Extra wait beyond the hub's own method timeouts before an unanswered invocation counts as outcome-unknown. */
  methodGraceMs?: number;
  /** Upper bound for registry calls (twin reads, queries). */
  registryTimeoutMs?: number;
  /** Page size for twin queries (the SDK's maximum is 10 000; the hub caps a page at 1 000). */
  queryPageSize?: number;
}

class NoAnswer extends Error {}

/** The SDK's RetryPolicy contract (azure-iothub common-core/retry_policy): never retry. */
const NO_RETRY = Object.freeze({
  shouldRetry: (): boolean => false,
  nextRetryTimeout: (): number => -1,
});

export class AzureIotHubGateway implements IotHubGateway {
  private readonly registry: Registry;
  private readonly client: Client;
  private readonly methodGraceMs: number;
  private readonly registryTimeoutMs: number;
  private readonly queryPageSize: number;

  constructor(private readonly clients: ServiceClients, options: GatewayOptions = {}) {
    this.registry = clients.registry;
    this.client = clients.client;
    // Client.invokeDeviceMethod retries 429/500/503 internally for up to 240 s (client.ts MAX_RETRY_TIMEOUT):
    // far beyond an activity's budget, and it hides the hub's error code. The orchestration retries instead.
    this.client.setRetryPolicy(NO_RETRY);
    this.methodGraceMs = options.methodGraceMs ?? 20_000;
    this.registryTimeoutMs = options.registryTimeoutMs ?? 30_000;
    this.queryPageSize = options.queryPageSize ?? 1000;
  }

  async invokeMethod(request: MethodRequest): Promise<HubMethodResult> {
    const params = {
      methodName: request.methodName,
      payload: request.payload ?? null,
      responseTimeoutInSeconds: request.responseTimeoutInSeconds,
      connectTimeoutInSeconds: request.connectTimeoutInSeconds,
    };
    const hubWaitMs = (request.responseTimeoutInSeconds + request.connectTimeoutInSeconds) * 1000;
    try {
      const { result, message } = await withDeadline(this.client.invokeDeviceMethod(request.deviceId, params), hubWaitMs + this.methodGraceMs);
      const response = methodResponse(result);
      const hubTime = hubTimeFromHeaders(message?.headers);
      return isAcceptedStatus(response.status)
        ? { kind: 'accepted', response, hubTime }
        : { kind: 'rejected', response, hubTime };
    } catch (err) {
      if (err instanceof NoAnswer) {
        // The request went out and the hub stayed silent past its own timeouts: the device may have got it.
        return { kind: 'maybeDelivered', message: `no answer from IoT Hub within ${Math.round((hubWaitMs + this.methodGraceMs) / 1000)} s` };
      }
      const failure = toHubFailure(err);
      const text = describeHubFailure(failure);
      switch (classifyMethodFailure(failure)) {
        case 'deviceNotFound':
          return { kind: 'deviceNotFound', message: `the device is not registered in IoT Hub (${text})` };
        case 'deviceOffline':
          return { kind: 'deviceOffline', message: `the device is not connected or has not subscribed to methods (${text})` };
        case 'maybeDelivered':
          return { kind: 'maybeDelivered', message: `the answer to '${request.methodName}' was lost: ${text}` };
        case 'notDelivered':
          return { kind: 'notDelivered', reason: failure.httpStatus === 429 || Math.floor((failure.errorCode ?? 0) / 1000) === 429 ? 'throttled' : 'unavailable',
            message: `IoT Hub did not deliver '${request.methodName}': ${text}` };
        case 'permanent':
          return { kind: 'failed', message: `invoking '${request.methodName}' was refused: ${text}` };
      }
    }
  }

  async readTwinSection(deviceId: string, section: string): Promise<TwinReadResult> {
    try {
      const twin = (await withDeadline(this.registry.getTwin(deviceId), this.registryTimeoutMs)).responseBody;
      return { kind: 'observed', state: toReportedSection(twin, section) };
    } catch (err) {
      return this.readFailure(err, 'reading the twin');
    }
  }

  async readConnection(deviceId: string): Promise<ConnectionInfo | null> {
    try {
      const device = (await withDeadline(this.registry.get(deviceId), this.registryTimeoutMs)).responseBody as DeviceIdentity;
      const at = device.connectionStateUpdatedTime;
      return {
        connectionState: connectionState(device.connectionState),
        connectionStateUpdatedTime: typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? new Date(Date.parse(at)).toISOString() : null,
      };
    } catch (err) {
      const read = this.readFailure(err, 'reading the device identity');
      if (read.kind === 'deviceNotFound') return null;
      throw new HubRequestError(read.message);
    }
  }

  async countByStatus(section: string, query: FleetQuery): Promise<StatusCount[]> {
    const sql = buildStatusQuery(section, query);
    const counts = new Map<string | null, number>();
    try {
      const cursor = this.registry.createQuery(sql, this.queryPageSize);
      let pages = 0;
      do {
        // GROUP BY results are small; a runaway continuation would be a hub bug, so bound the loop. The token is passed
        // explicitly: azure-iothub's promise form of Query.next() without it starts again at page one.
        if (++pages > 1000) throw new Error('too many result pages');
        const { result } = await withDeadline(cursor.next(cursor.continuationToken), this.registryTimeoutMs);
        for (const row of Array.isArray(result) ? (result as Record<string, unknown>[]) : []) {
          const status = statusKey(row[STATUS_ALIAS]);
          const devices = Number(row[COUNT_ALIAS] ?? 0);
          counts.set(status, (counts.get(status) ?? 0) + (Number.isFinite(devices) ? devices : 0));
        }
      } while (cursor.hasMoreResults);
    } catch (err) {
      const failure = err instanceof NoAnswer ? { message: 'no answer from IoT Hub' } : toHubFailure(err);
      const kind = err instanceof NoAnswer ? 'transient' : classifyHubFailure(failure);
      const text = describeHubFailure(failure);
      if (kind === 'transient') throw new TransientHubError(`the twin query failed transiently: ${text}`);
      throw new HubRequestError(`the twin query failed: ${text}`);
    }
    return [...counts.entries()]
      .map(([status, devices]) => ({ status, devices }))
      // Largest groups first; devices reporting no status after those reporting one; then by name.
      .sort((a, b) => b.devices - a.devices || Number(a.status === null) - Number(b.status === null)
        || (a.status ?? '').localeCompare(b.status ?? ''));
  }

  async close(): Promise<void> {
    this.clients.close();
  }

  /** A failed read as data (not found, refused); throws TransientHubError when a retry may help. */
  private readFailure(err: unknown, what: string): Exclude<TwinReadResult, { kind: 'observed' }> {
    if (err instanceof NoAnswer) throw new TransientHubError(`${what} failed transiently: no answer from IoT Hub`);
    const failure = toHubFailure(err);
    const text = describeHubFailure(failure);
    switch (classifyHubFailure(failure)) {
      case 'deviceNotFound':
        return { kind: 'deviceNotFound', message: `the device is not registered in IoT Hub (${text})` };
      case 'transient':
        throw new TransientHubError(`${what} failed transiently: ${text}`);
      case 'permanent':
        return { kind: 'failed', message: `${what} was refused: ${text}` };
    }
  }
}

function methodResponse(result: unknown): MethodResponse {
  const body = (typeof result === 'object' && result !== null ? result : {}) as { status?: unknown; payload?: unknown };
  const status = typeof body.status === 'number' ? body.status : Number(body.status);
  if (!Number.isFinite(status)) throw new Error('IoT Hub returned a method response without a numeric status');
  return { status, payload: body.payload ?? null };
}

function statusKey(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Rejects with NoAnswer when `promise` has not settled within `ms`; the timer never keeps the process alive. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new NoAnswer()), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
