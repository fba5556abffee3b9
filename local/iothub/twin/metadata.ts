// `$metadata`: a tree mirroring the properties with `$lastUpdated` at every level, kept "to preserve updates that
// remove object keys" (azure-docs iot-hub-devguide-device-twins.md "Device twin metadata"); desired metadata also
// carries `$lastUpdatedVersion`, the desired `$version` of the update that last touched the node.
import { type JsonObject, type JsonValue, isJsonObject } from './json';

export interface MetadataStamp {
  at: string;
  version?: number;
}

export class MetadataNode {
  private children: Map<string, MetadataNode> | undefined;

  constructor(private stamp: MetadataStamp) {}

  /** Records a merge patch: touched nodes and every ancestor get the stamp; deleted keys lose their metadata. */
  applyPatch(patch: JsonObject, stamp: MetadataStamp): void {
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) {
        this.children?.delete(key);
        continue;
      }
      const existing = this.children?.get(key);
      if (isJsonObject(value) && existing?.children !== undefined) {
        existing.applyPatch(value, stamp);
      } else {
        this.setChild(key, MetadataNode.forValue(value, stamp));
      }
    }
    this.stamp = stamp;
  }

  /** Metadata for a freshly written value: every node inside it carries the same stamp. */
  static forValue(value: JsonValue, stamp: MetadataStamp): MetadataNode {
    const node = new MetadataNode(stamp);
    if (isJsonObject(value)) {
      node.children = new Map();
      for (const [key, child] of Object.entries(value)) {
        if (child !== null) node.children.set(key, MetadataNode.forValue(child, stamp));
      }
    }
    return node;
  }

  private setChild(key: string, node: MetadataNode): void {
    if (this.children === undefined) this.children = new Map();
    this.children.set(key, node);
  }

  toJSON(): JsonObject {
    const json: JsonObject = { $lastUpdated: this.stamp.at };
    if (this.stamp.version !== undefined) json.$lastUpdatedVersion = this.stamp.version;
    if (this.children) {
      for (const [key, child] of this.children) json[key] = child.toJSON();
    }
    return json;
  }
}
