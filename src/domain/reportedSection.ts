// The slice of a twin that one operation watches: its reported section `iothubDM.<section>` with the hub's
// `$metadata` times, plus the device's connection state.
//
// Freshness is judged on the hub's clock: a field counts for this operation when the hub stored it at or after
// the operation's reference time (the moment its method was sent, journaled before the call). Times a device
// writes into its own report are never compared (device clocks drift and reset on reboot).
import { capJson } from './jsonSize';

export type ConnectionState = 'Connected' | 'Disconnected';

export interface ReportedSection {
  /** `properties.reported.iothubDM.<section>` without `$metadata`, or null when the device never reported one. */
  values: Record<string, unknown> | null;
  /** Hub time (ISO) each field of `values` was last written, from `$metadata`; `$section` = the object itself. */
  lastUpdated: Record<string, string>;
  connectionState: ConnectionState | null;
  /** Device identity `connectionStateUpdatedTime` (hub clock); read only when asked for. */
  connectionStateUpdatedTime: string | null;
  /** `properties.reported.$version`. */
  reportedVersion: number | null;
}

/** The field name under which the section's own `$lastUpdated` is kept in `lastUpdated`. */
export const SECTION_TIME = '$section';

/** Reads a section's fields as fresh or not relative to a hub-clock reference time. */
export class SectionReading {
  private readonly sinceMs: number;

  constructor(readonly state: ReportedSection, since: string) {
    this.sinceMs = Date.parse(since);
  }

  get values(): Record<string, unknown> {
    return this.state.values ?? {};
  }

  /** Hub time the field was last written (the section's time when the field has none of its own). */
  timeOf(field: string): string | undefined {
    return this.state.lastUpdated[field] ?? this.state.lastUpdated[SECTION_TIME];
  }

  /** True when the device wrote `field` at or after the reference time. */
  isFresh(field: string): boolean {
    if (this.state.values === null || !Object.prototype.hasOwnProperty.call(this.state.values, field)) return false;
    const at = this.timeOf(field);
    return at !== undefined && Date.parse(at) >= this.sinceMs;
  }

  /** True when any field of the section was written at or after the reference time. */
  anyFresh(): boolean {
    return Object.keys(this.values).some((field) => this.isFresh(field));
  }

  /** The fresh `status` string, lower-cased for comparison, or undefined. */
  freshStatus(): { raw: string; lower: string } | undefined {
    if (!this.isFresh('status')) return undefined;
    const status = this.values.status;
    return typeof status === 'string' ? { raw: status, lower: status.toLowerCase() } : undefined;
  }

  /** A fresh string field, or null. */
  freshText(field: string): string | null {
    const value = this.values[field];
    return this.isFresh(field) && typeof value === 'string' ? value : null;
  }

  /** The connection changed at or after the reference time (only known when the identity was read). */
  connectionChangedSince(): boolean {
    const at = this.state.connectionStateUpdatedTime;
    return at !== null && Date.parse(at) >= this.sinceMs;
  }
}

/**
 * `state` with its section and times cut to `maxBytes` each when larger (a device may report up to 32 KB;
 * Durable custom status must stay under 16 KB).
 */
export function capReportedSection(state: ReportedSection | null, maxBytes: number): ReportedSection | null {
  if (state === null) return null;
  return {
    ...state,
    values: capJson(state.values, maxBytes) as Record<string, unknown> | null,
    lastUpdated: capJson(state.lastUpdated, maxBytes) as Record<string, string>,
  };
}
