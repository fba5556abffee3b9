// Local Azure IoT Hub emulator: the unmodified azure-iothub service SDK (HTTPS REST) and azure-iot-device +
// azure-iot-device-mqtt device SDK (MQTT over TLS or WebSockets) talk to it as to a real hub. Contract: briefs/emulator-contract.md.
import { startServer } from './server';
import type { IotHubEmulatorOptions, RunningIotHubEmulator } from './types';

export type {
  DeviceCredentials,
  DeviceFault,
  EmulatorAdmin,
  EventHubsEndpoint,
  HubFault,
  IotHubEmulatorOptions,
  PolicyName,
  QuotaTier,
  RunningIotHubEmulator,
  ServicePolicyName,
  TelemetryMessage,
  VirtualDeviceConnection,
  VirtualDeviceHandler,
} from './types';
export { IotHubError, IOT_HUB_ERROR_NAMES, type IotHubErrorCode } from './errors';
export { ADMIN_KEY_HEADER } from './admin/adminApi';

export function startIotHubEmulator(options: IotHubEmulatorOptions = {}): Promise<RunningIotHubEmulator> {
  return startServer(options);
}
