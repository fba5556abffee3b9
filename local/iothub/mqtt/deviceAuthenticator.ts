// MQTT CONNECT authentication (azure-docs iot-mqtt-connect-to-iot-hub.md "Using the MQTT protocol directly"):
// ClientId = deviceId, Username = `{host}/{deviceId}/?api-version=…`, Password = a SAS token for
// `{host}/devices/{deviceId}` signed with one of the device's keys, or with a policy holding DeviceConnect (then
// the token carries skn). The return codes are CONNACK's: 4 "bad user name or password", 5 "not authorized";
// the device SDK turns both into UnauthorizedError.
import type { IotHub } from '../hub';
import { isValidDeviceId } from '../registry/deviceId';
import { parseSasToken } from '../sas/token';
import { type SasFailure, verifySasToken } from '../sas/verify';

export interface AuthenticatedDevice {
  deviceId: string;
  /** When the hub ends the session: the token's `se` (IoT Hub disconnects at token expiry, 401003 then 404104). */
  tokenExpiresAtMs: number;
}

export interface ConnectRejection {
  returnCode: 4 | 5;
  /** For the operational log: never contains the token. */
  reason: string;
}

export function authenticateDevice(
  hub: IotHub,
  clientId: string,
  username: string | undefined,
  password: Buffer | undefined,
): AuthenticatedDevice | ConnectRejection {
  if (!isValidDeviceId(clientId)) return { returnCode: 5, reason: `client id ${JSON.stringify(clientId)} is not a device id (modules are not supported)` };
  const expectedPrefixes = hub.hostNames.map((host) => `${host}/${clientId}/`.toLowerCase());
  const user = (username ?? '').toLowerCase();
  if (!expectedPrefixes.some((prefix) => user.startsWith(prefix))) {
    return { returnCode: 4, reason: `username does not start with ${hub.hostName}/${clientId}/` };
  }
  const token = parseSasToken(password?.toString('utf8'));
  if (!token) return { returnCode: 5, reason: 'the password is not a SharedAccessSignature token' };
  const device = hub.registry.get(clientId);
  if (!device) return { returnCode: 5, reason: `device ${JSON.stringify(clientId)} is not registered` };
  if (device.status !== 'enabled') return { returnCode: 5, reason: `device ${JSON.stringify(clientId)} is disabled` };

  const resources = hub.hostNames.map((host) => `${host}/devices/${clientId}`);
  let failure: SasFailure | undefined;
  if (token.keyName !== undefined) {
    const policy = hub.policies.get(token.keyName);
    if (!policy || !policy.permissions.has('DeviceConnect')) {
      return { returnCode: 5, reason: `policy ${JSON.stringify(token.keyName)} does not grant DeviceConnect` };
    }
    failure = verifySasToken(token, policy.key, resources);
  } else {
    const { primaryKey, secondaryKey } = device.authentication.symmetricKey;
    const keys = [primaryKey, secondaryKey].filter((key): key is string => typeof key === 'string');
    if (device.authentication.type !== 'sas' || keys.length === 0) {
      return { returnCode: 5, reason: `device ${JSON.stringify(clientId)} does not use SAS authentication` };
    }
    const results = keys.map((key) => verifySasToken(token, key, resources));
    failure = results.includes(undefined) ? undefined : (results.find((r) => r !== 'signature') ?? 'signature');
  }
  if (failure !== undefined) return { returnCode: 5, reason: `SAS token rejected (${failure})` };
  return { deviceId: clientId, tokenExpiresAtMs: Number(token.expiry) * 1000 };
}

export function isRejection(result: AuthenticatedDevice | ConnectRejection): result is ConnectRejection {
  return 'returnCode' in result;
}
