// The hub itself, independent of transports: identity registry, twins, connections, method dispatch, jobs, quotas,
// faults, counters, captured telemetry and the built-in Event Hubs-compatible endpoint its routes write to. REST handlers, the MQTT front end, virtual devices and the admin API all go
// through these operations, so a twin update behaves the same whoever makes it.
import { FaultTable } from './admin/faults';
import { JobScheduler } from './jobs/jobScheduler';
import { ConnectionTable } from './connections/connectionTable';
import { Counters } from './counters';
import { hubErrors } from './errors';
import { MethodDispatcher } from './methods/dispatcher';
import { QuotaGate } from './quota/quotaGate';
import type { ThrottledOperation } from './quota/throttles';
import { DeviceRegistry } from './registry/deviceRegistry';
import { type DeviceIdentity, twinJson } from './registry/deviceIdentity';
import { ifMatchAllows } from './registry/etag';
import { BuiltInEndpoint, type BuiltInEndpointSettings } from './eventhubs/builtInEndpoint';
import { hubNameOf } from './eventhubs/connectionString';
import { telemetryEvent } from './eventhubs/telemetryEvent';
import { type TwinOperation, replaceTwinBody, twinChangeEvent, updateTwinBody } from './eventhubs/twinChangeEvent';
import { SharedAccessPolicies } from './sas/policies';
import { TelemetryStore } from './telemetry';
import { type JsonObject, isJsonObject } from './twin/json';
import type { UpdateMode } from './twin/twinDocument';
import type { PolicyName, QuotaTier, TelemetryMessage } from './types';

export interface HubSettings {
  hostName: string;
  quota: { tier: QuotaTier; units: number; clock?: () => number };
  policyKeys?: Partial<Record<PolicyName, string>>;
  events?: BuiltInEndpointSettings;
  log: (line: string) => void;
}

export class IotHub {
  readonly hostName: string;
  readonly policies: SharedAccessPolicies;
  readonly registry = new DeviceRegistry();
  readonly connections: ConnectionTable;
  readonly faults = new FaultTable();
  readonly counters = new Counters();
  readonly telemetry = new TelemetryStore();
  /** The built-in `events` endpoint (Event Hubs-compatible), fed by the built-in route and twin change events. */
  readonly events: BuiltInEndpoint;
  readonly dispatcher: MethodDispatcher;
  readonly jobs: JobScheduler;
  readonly log: (line: string) => void;
  /** Extra spellings of the host accepted in SAS `sr` (host:port), filled in once the listeners are bound. */
  readonly hostAliases: string[] = [];
  private quotaGate: QuotaGate;

  constructor(settings: HubSettings) {
    this.hostName = settings.hostName;
    this.log = settings.log;
    this.policies = new SharedAccessPolicies(settings.policyKeys);
    this.events = new BuiltInEndpoint(settings.events);
    this.quotaGate = new QuotaGate(settings.quota.tier, settings.quota.units, settings.quota.clock);
    this.connections = new ConnectionTable(this.registry);
    this.dispatcher = new MethodDispatcher(this.registry, this.connections, this.faults, this.counters, () => this.quotaGate);
    this.jobs = new JobScheduler(
      {
        twins: () => this.twinsSortedById(),
        invokeMethod: (deviceId, request) => this.dispatcher.invoke(deviceId, request, { metered: false }),
        updateTwin: (deviceId, patch) => {
          // A job's patch counts against the jobs throttle, not the twin-updates one; empty sections change nothing.
          const section = (value: unknown) => (isJsonObject(value) && Object.keys(value).length === 0 ? undefined : value);
          this.applyServiceTwinUpdate(deviceId, { tags: section(patch.tags), properties: { desired: section(patch.desired) } }, undefined, 'merge');
        },
      },
      () => this.quotaGate,
      this.counters,
    );
    this.registry.onChange((change) => {
      if (change.kind === 'cleared') this.connections.dropAll('the registry was reset');
      else this.connections.drop(change.device.deviceId, `the device identity was ${change.kind}`);
    });
  }

  /** Every spelling of this hub's host that a SAS `sr` may start with. */
  get hostNames(): string[] {
    return [this.hostName, ...this.hostAliases];
  }

  get quota(): QuotaGate {
    return this.quotaGate;
  }

  /** Consumes quota for one operation, or throws 429001. */
  admit(operation: ThrottledOperation, cost = 1): void {
    if (!this.quotaGate.admit(operation, cost)) {
      this.counters.increment('throttled');
      throw hubErrors.throttled();
    }
  }

  // ---- Service side (REST) ----

  serviceGetTwin(deviceId: string): JsonObject {
    this.admit('twinReads');
    const device = this.registry.require(deviceId);
    this.counters.increment('twinReads');
    return twinJson(device);
  }

  /** PATCH (merge) or PUT (replace) /twins/{id}: tags and desired properties; reported properties are the device's. */
  serviceUpdateTwin(deviceId: string, body: unknown, ifMatch: string | undefined, mode: UpdateMode): JsonObject {
    this.admit('twinUpdates');
    return this.applyServiceTwinUpdate(deviceId, body, ifMatch, mode);
  }

  /** Every device twin in device-id order, as queries and jobs see them. */
  *twinsSortedById(): IterableIterator<JsonObject> {
    for (const device of this.registry.sortedDevices()) yield twinJson(device);
  }

  private applyServiceTwinUpdate(deviceId: string, body: unknown, ifMatch: string | undefined, mode: UpdateMode): JsonObject {
    const device = this.registry.require(deviceId);
    if (!isJsonObject(body)) throw hubErrors.argumentInvalid('The request body must be a twin JSON object.');
    const properties = body.properties;
    if (properties !== undefined && properties !== null && !isJsonObject(properties)) {
      throw hubErrors.argumentInvalid('properties must be an object.');
    }
    if (isJsonObject(properties) && properties.reported !== undefined && mode === 'merge') {
      throw hubErrors.argumentInvalid('properties.reported can only be updated by the device.');
    }
    if (!ifMatchAllows(ifMatch, device.twin.etag)) {
      throw hubErrors.preconditionFailed('Twin etag', ifMatch ?? '', device.twin.etag);
    }
    this.counters.increment('twinUpdates');
    const now = new Date().toISOString();
    const versionBefore = device.twin.version;
    const desired = isJsonObject(properties) ? properties.desired : undefined;
    const result = device.twin.applyServiceUpdate({ tags: body.tags, desired }, mode, now);
    if (device.twin.version !== versionBefore) {
      if (mode === 'replace') this.routeTwinChange(device, 'replaceTwin', replaceTwinBody(device), now);
      else this.routeTwinChange(device, 'updateTwin', updateTwinBody(device, { tags: sectionPatch(body.tags), desired: sectionPatch(desired) }), now);
    }
    if (result.desiredNotification) this.notifyDesired(device, result.desiredNotification);
    return twinJson(device);
  }

  private notifyDesired(device: DeviceIdentity, patch: JsonObject): void {
    // Only connected, subscribed devices hear about it; the hub does not queue notifications (device-twins docs).
    const connection = this.connections.get(device.deviceId);
    if (!connection || !connection.desiredEnabled) return;
    this.counters.increment('desiredNotifications');
    connection.sendDesiredPatch(patch);
  }

  // ---- Device side (MQTT and virtual devices) ----

  deviceGetTwin(deviceId: string): { desired: JsonObject; reported: JsonObject } {
    this.admit('twinReads');
    const device = this.registry.require(deviceId);
    this.counters.increment('twinReads');
    this.registry.touch(device);
    return device.twin.deviceView();
  }

  /** A reported-properties patch from the device; returns the new reported `$version`. */
  deviceUpdateReported(deviceId: string, patch: unknown): number {
    this.admit('twinUpdates');
    const device = this.registry.require(deviceId);
    this.counters.increment('twinUpdates');
    this.registry.touch(device);
    const now = new Date().toISOString();
    const version = device.twin.applyReportedPatch(patch, now);
    if (isJsonObject(patch)) this.routeTwinChange(device, 'updateTwin', updateTwinBody(device, { reported: patch }), now);
    return version;
  }

  /** The twinChangeEvents route: every accepted twin change goes to the built-in endpoint, in the device's partition. */
  private routeTwinChange(device: DeviceIdentity, opType: TwinOperation, body: JsonObject, operationTimestamp: string): void {
    this.events.write(twinChangeEvent(hubNameOf(this.hostName), device, opType, body, operationTimestamp));
  }

  /** A device-to-cloud message accepted from a device: kept for the admin API and routed to the built-in endpoint. */
  acceptTelemetry(device: DeviceIdentity, message: TelemetryMessage): void {
    this.telemetry.add(message);
    this.events.write(telemetryEvent(message, device.generationId));
  }

  // ---- Administration ----

  /** Deletes every device (closing its connection) and clears faults, telemetry, counters and quota buckets. */
  reset(): void {
    this.jobs.clear();
    this.registry.clear();
    this.faults.clear();
    this.telemetry.clear();
    this.events.clear();
    this.counters.reset();
    this.quotaGate = this.quotaGate.reset();
  }

  shutdown(): void {
    this.jobs.clear();
    this.dispatcher.shutdown();
    this.connections.dropAll('the emulator is stopping');
  }
}

/** A section as the service sent it; `null` (empty the section) is reported as an empty change. */
function sectionPatch(section: unknown): JsonObject | undefined {
  if (section === null) return {};
  return isJsonObject(section) ? section : undefined;
}
