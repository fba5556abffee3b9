// The part of the IoT Hub emulator (local/iothub, briefs/emulator-contract.md) the simulated devices use:
// picked from the emulator's own types, so the devices depend on no more than they need.
import type { EmulatorAdmin, RunningIotHubEmulator, VirtualDeviceConnection, VirtualDeviceHandler } from '../iothub/index.js';

export type { VirtualDeviceConnection, VirtualDeviceHandler };

/** What a virtual device's onMethod resolves to. */
export type VirtualMethodResult = Awaited<ReturnType<VirtualDeviceHandler['onMethod']>>;

/** The emulator admin operation a virtual device needs. */
export type VirtualDeviceHost = Pick<EmulatorAdmin, 'connectVirtualDevice'>;

/** What a fleet needs from a running emulator: identities, device credentials and its CA. */
export type FleetHub = Pick<RunningIotHubEmulator, 'deviceCredentials' | 'caCertPem'> & {
  admin: Pick<EmulatorAdmin, 'createDevices' | 'connectVirtualDevice'>;
  /** The hub's clock; the fleet's devices live on it unless told otherwise. */
  clock?: RunningIotHubEmulator['clock'];
};
