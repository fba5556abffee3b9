// Fixture twins for the query engine tests, shaped like REST GET /twins/{id} bodies.
import type { TwinDocument } from '../../../../local/iothub/query';

export interface TwinSpec {
  deviceId: string;
  status?: 'enabled' | 'disabled';
  statusReason?: string;
  connectionState?: 'Connected' | 'Disconnected';
  lastActivityTime?: string;
  iotEdge?: boolean;
  /** Omitted → the twin has no `tags` member at all. */
  tags?: Record<string, unknown>;
  desired?: Record<string, unknown>;
  reported?: Record<string, unknown>;
  desiredVersion?: number;
  reportedVersion?: number;
}

/** `$metadata` with `$lastUpdated` at every object level, as the hub keeps it. */
function metadataFor(properties: Record<string, unknown>, stamp: string, version?: number): Record<string, unknown> {
  const node: Record<string, unknown> = { $lastUpdated: stamp };
  if (version !== undefined) node.$lastUpdatedVersion = version;
  for (const [key, value] of Object.entries(properties)) {
    node[key] = typeof value === 'object' && value !== null && !Array.isArray(value)
      ? metadataFor(value as Record<string, unknown>, stamp, version)
      : { $lastUpdated: stamp, ...(version !== undefined && { $lastUpdatedVersion: version }) };
  }
  return node;
}

export function twin(spec: TwinSpec): TwinDocument {
  const stamp = '2024-05-01T00:00:00.0000000Z';
  const desiredVersion = spec.desiredVersion ?? 1;
  const reportedVersion = spec.reportedVersion ?? 1;
  const desired = spec.desired ?? {};
  const reported = spec.reported ?? {};
  const document: TwinDocument = {
    deviceId: spec.deviceId,
    etag: 'AAAAAAAAAAE=',
    deviceEtag: 'MTIzNDU2Nzg=',
    status: spec.status ?? 'enabled',
    ...(spec.statusReason !== undefined && { statusReason: spec.statusReason }),
    statusUpdateTime: '0001-01-01T00:00:00Z',
    connectionState: spec.connectionState ?? 'Disconnected',
    lastActivityTime: spec.lastActivityTime ?? '0001-01-01T00:00:00Z',
    cloudToDeviceMessageCount: 0,
    authenticationType: 'sas',
    x509Thumbprint: { primaryThumbprint: null, secondaryThumbprint: null },
    version: desiredVersion + reportedVersion,
    capabilities: { iotEdge: spec.iotEdge ?? false },
    properties: {
      desired: { ...desired, $metadata: metadataFor(desired, stamp, desiredVersion), $version: desiredVersion },
      reported: { ...reported, $metadata: metadataFor(reported, stamp), $version: reportedVersion },
    },
  };
  if (spec.tags !== undefined) document.tags = spec.tags;
  return document;
}

const day = (n: number): string => `2024-05-${String(n).padStart(2, '0')}T08:00:00.000Z`;

/**
 * Twelve devices, sorted by deviceId as the emulator passes them:
 *
 * | id       | status   | connection   | region | fleet | connectivity      | telemetry status | reboot status | temperature |
 * |----------|----------|--------------|--------|-------|-------------------|------------------|---------------|-------------|
 * | dev-001  | enabled  | Connected    | US     | alpha | 'wifi'            | Success (300 s)  | completed     | 21.5        |
 * | dev-002  | enabled  | Disconnected | US     | alpha | 'wired'           | Pending (30 s)   | rebooting     | 19          |
 * | dev-003  | enabled  | Connected    | EU     | beta  | 'cellular'        | Success (60 s)   | failed        | 30          |
 * | dev-004  | disabled | Disconnected | EU     | beta  | 'wifi'            | Error            | —             | —           |
 * | dev-005  | enabled  | Connected    | US     | gamma | {type:'cellular'} | Success (120 s)  | completed     | '25' (text) |
 * | dev-006  | enabled  | Disconnected | (no tags, nothing desired or reported)                                          |
 * | dev-007  | enabled  | Disconnected | APAC   | alpha | null              | —                | completed     | —           |
 * | dev-008  | enabled  | Connected    | US     | beta  | —                 | Pending          | rebooting     | —           |
 * | edge-01  | enabled  | Connected    | EU     | edge  | —                 | —                | completed     | —           |
 * | edge-02  | enabled  | Disconnected | —      | edge  | —                 | —                | (reboot: {})  | —           |
 * | sensor-A | enabled  | Connected    | 'us'   | gamma | —                 | Success          | —             | -5          |
 * | sensor-B | disabled | Disconnected | US     | gamma | —                 | —                | failed        | 42          |
 */
export function fleet(): TwinDocument[] {
  return [
    twin({
      deviceId: 'dev-001', connectionState: 'Connected', lastActivityTime: day(1), reportedVersion: 5, desiredVersion: 2,
      tags: { location: { region: 'US', plant: 'Redmond43' }, fleet: 'alpha' },
      desired: { telemetryConfig: { configId: 'c1', sendFrequencyInSecs: 300 } },
      reported: {
        connectivity: 'wifi', telemetryConfig: { configId: 'c1', sendFrequencyInSecs: 300, status: 'Success' },
        iothubDM: { reboot: { status: 'completed', lastReboot: '2024-05-01T07:59:00.000Z' } }, temperature: 21.5,
      },
    }),
    twin({
      deviceId: 'dev-002', lastActivityTime: day(2), reportedVersion: 3,
      tags: { location: { region: 'US', plant: 'Redmond43' }, fleet: 'alpha' },
      desired: { telemetryConfig: { sendFrequencyInSecs: 30 } },
      reported: {
        connectivity: 'wired', telemetryConfig: { sendFrequencyInSecs: 30, status: 'Pending' },
        iothubDM: { reboot: { status: 'rebooting', startedRebootTime: '2024-05-02T07:00:00.000Z' } }, temperature: 19,
      },
    }),
    twin({
      deviceId: 'dev-003', connectionState: 'Connected', lastActivityTime: day(3), reportedVersion: 2,
      tags: { location: { region: 'EU', plant: 'Dublin1' }, fleet: 'beta' },
      reported: {
        connectivity: 'cellular', telemetryConfig: { sendFrequencyInSecs: 60, status: 'Success' },
        iothubDM: { reboot: { status: 'failed' } }, temperature: 30,
      },
    }),
    twin({
      deviceId: 'dev-004', status: 'disabled', statusReason: 'decommissioned', lastActivityTime: day(4),
      tags: { location: { region: 'EU' }, fleet: 'beta' },
      reported: { connectivity: 'wifi', telemetryConfig: { status: 'Error' } },
    }),
    twin({
      deviceId: 'dev-005', connectionState: 'Connected', lastActivityTime: day(5),
      tags: { location: { region: 'US', plant: 'Austin2' }, fleet: 'gamma' },
      reported: {
        connectivity: { type: 'cellular' }, telemetryConfig: { sendFrequencyInSecs: 120, status: 'Success' },
        iothubDM: { reboot: { status: 'completed' } }, temperature: '25',
      },
    }),
    twin({ deviceId: 'dev-006' }),
    twin({
      deviceId: 'dev-007', lastActivityTime: day(7),
      tags: { location: { region: 'APAC' }, fleet: 'alpha', priority: 1 },
      desired: { config: { mode: 'eco', levels: { max: 5 } } },
      reported: { config: { mode: 'eco' }, iothubDM: { reboot: { status: 'completed' } }, connectivity: null },
    }),
    twin({
      deviceId: 'dev-008', connectionState: 'Connected', lastActivityTime: day(8),
      tags: { location: { region: 'US' }, fleet: 'beta', priority: 2 },
      desired: { config: { mode: 'turbo' } },
      reported: { config: { mode: 'eco' }, iothubDM: { reboot: { status: 'rebooting' } }, telemetryConfig: { status: 'Pending' } },
    }),
    twin({
      deviceId: 'edge-01', connectionState: 'Connected', lastActivityTime: day(9), iotEdge: true,
      tags: { location: { region: 'EU' }, fleet: 'edge', 'site-name': 'Berlin' },
      reported: { iothubDM: { reboot: { status: 'completed' } } },
    }),
    twin({ deviceId: 'edge-02', lastActivityTime: day(10), tags: { fleet: 'edge' }, reported: { iothubDM: { reboot: {} } } }),
    twin({
      deviceId: 'sensor-A', connectionState: 'Connected', lastActivityTime: day(11),
      tags: { location: { region: 'us' }, fleet: 'gamma' },
      reported: { telemetryConfig: { status: 'Success' }, temperature: -5 },
    }),
    twin({
      deviceId: 'sensor-B', status: 'disabled', lastActivityTime: day(12),
      tags: { location: { region: 'US' }, fleet: 'gamma', counter: 16 },
      reported: { iothubDM: { reboot: { status: 'failed' } }, temperature: 42 },
    }),
  ];
}
