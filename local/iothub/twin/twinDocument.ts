// The versioned part of one device twin: tags, desired and reported properties, their `$version`s and `$metadata`,
// and the twin-level `version`/etag. New twins start with desired and reported `$version` 1 (the SDK e2e tests
// rely on it) and every accepted change bumps `$version` of the section by one and the twin `version` by one.
import { type JsonObject, cloneJson } from './json';
import { type TwinSection, assertSectionSize, validateSectionDocument } from './limits';
import { mergePatch, withoutNulls } from './mergePatch';
import { MetadataNode } from './metadata';

export type UpdateMode = 'merge' | 'replace';

export interface ServiceTwinUpdate {
  tags?: unknown;
  desired?: unknown;
}

export interface ServiceTwinUpdateResult {
  /** What the device is told: the patch (merge) or the whole desired document (replace), plus `$version`. */
  desiredNotification?: JsonObject;
}

/** etag of a twin: base64 of its version as an 8-byte big-endian integer (the form the service shows, e.g. "AAAAAAAAAAc="). */
export function twinEtagOf(version: number): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(version));
  return bytes.toString('base64');
}

export class TwinDocument {
  private tagsDoc: JsonObject = {};
  private desiredDoc: JsonObject = {};
  private reportedDoc: JsonObject = {};
  private desiredMeta: MetadataNode;
  private reportedMeta: MetadataNode;
  private desiredVer = 1;
  private reportedVer = 1;
  private twinVersion = 1;

  constructor(createdAt: string, tags?: JsonObject) {
    this.desiredMeta = MetadataNode.forValue({}, { at: createdAt, version: 1 });
    this.reportedMeta = MetadataNode.forValue({}, { at: createdAt });
    if (tags) this.tagsDoc = cloneJson(tags);
  }

  get version(): number {
    return this.twinVersion;
  }

  get etag(): string {
    return twinEtagOf(this.twinVersion);
  }

  get desiredVersion(): number {
    return this.desiredVer;
  }

  get reportedVersion(): number {
    return this.reportedVer;
  }

  get tags(): JsonObject {
    return this.tagsDoc;
  }

  get desired(): JsonObject {
    return this.desiredDoc;
  }

  get reported(): JsonObject {
    return this.reportedDoc;
  }

  /**
   * A service PATCH (merge) or PUT (replace) of tags and/or desired properties. Everything is validated before
   * anything changes, and the twin version moves once per accepted request.
   */
  applyServiceUpdate(update: ServiceTwinUpdate, mode: UpdateMode, now: string): ServiceTwinUpdateResult {
    const allowNull = mode === 'merge';
    if (mode === 'replace') {
      // A replacement is the whole twin: a section it leaves out becomes empty.
      update = { tags: update.tags ?? {}, desired: update.desired ?? {} };
    }
    let nextTags: JsonObject | undefined;
    let nextDesired: JsonObject | undefined;
    let desiredInput: JsonObject | undefined;
    // A PATCH whose section is `null` empties it: the hub replaces desired properties (or tags) with nothing, and
    // the SDK e2e suite expects the device's copy of desired to end empty (twin_e2e_tests.js "can null out all
    // desired properties"). The device SDK merges notifications, so the removal reaches it as one null per member.
    if (mode === 'merge' && update.tags === null) nextTags = {};
    if (mode === 'merge' && update.desired === null) {
      desiredInput = Object.fromEntries(Object.keys(this.desiredDoc).map((key) => [key, null]));
      nextDesired = {};
    }
    if (update.tags !== undefined && update.tags !== null) {
      validateSectionDocument('tags', update.tags, allowNull);
      nextTags = mode === 'merge' ? mergePatch(this.tagsDoc, update.tags) : withoutNulls(update.tags);
      assertSectionSize('tags', nextTags);
    }
    if (update.desired !== undefined && update.desired !== null) {
      const input = stripReadOnlyMembers(update.desired);
      validateSectionDocument('properties.desired', input, allowNull);
      desiredInput = input;
      nextDesired = mode === 'merge' ? mergePatch(this.desiredDoc, desiredInput) : withoutNulls(desiredInput);
      assertSectionSize('properties.desired', nextDesired);
    }
    if (nextTags === undefined && nextDesired === undefined) return {};
    this.twinVersion += 1;
    if (nextTags !== undefined) this.tagsDoc = nextTags;
    if (nextDesired === undefined || desiredInput === undefined) return {};
    this.desiredVer += 1;
    const stamp = { at: now, version: this.desiredVer };
    if (mode === 'merge' && update.desired === null) {
      this.desiredMeta = MetadataNode.forValue({}, stamp);
    } else if (mode === 'merge') {
      this.desiredMeta.applyPatch(desiredInput, stamp);
    } else {
      this.desiredMeta = MetadataNode.forValue(nextDesired, stamp);
    }
    this.desiredDoc = nextDesired;
    const notification = mode === 'merge' ? cloneJson(desiredInput) : cloneJson(nextDesired);
    notification.$version = this.desiredVer;
    return { desiredNotification: notification };
  }

  /** A device's reported-properties patch; returns the new reported `$version`. */
  applyReportedPatch(patch: unknown, now: string): number {
    const section: TwinSection = 'properties.reported';
    validateSectionDocument(section, patch, true);
    const next = mergePatch(this.reportedDoc, patch);
    assertSectionSize(section, next);
    this.reportedVer += 1;
    this.twinVersion += 1;
    this.reportedMeta.applyPatch(patch, { at: now });
    this.reportedDoc = next;
    return this.reportedVer;
  }

  /** `properties` as the service sees it: with `$metadata` and `$version`. */
  servicePropertiesView(): { desired: JsonObject; reported: JsonObject } {
    return {
      desired: { ...cloneJson(this.desiredDoc), $metadata: this.desiredMeta.toJSON(), $version: this.desiredVer },
      reported: { ...cloneJson(this.reportedDoc), $metadata: this.reportedMeta.toJSON(), $version: this.reportedVer },
    };
  }

  /** The MQTT GET twin reply body: desired and reported with `$version` and no `$metadata` (iot-mqtt-connect-to-iot-hub.md). */
  deviceView(): { desired: JsonObject; reported: JsonObject } {
    return {
      desired: { ...cloneJson(this.desiredDoc), $version: this.desiredVer },
      reported: { ...cloneJson(this.reportedDoc), $version: this.reportedVer },
    };
  }
}

/** Clients often send back what they read: `$metadata` and `$version` at the root of desired are read-only and ignored. */
function stripReadOnlyMembers(document: unknown): unknown {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return document;
  const copy: Record<string, unknown> = { ...(document as Record<string, unknown>) };
  delete copy.$metadata;
  delete copy.$version;
  return copy;
}
