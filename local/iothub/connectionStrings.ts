// The connection strings and device credentials the emulator hands out. The unmodified SDKs only reach a hub on its
// default ports: the service SDK passes HostName to https.request as a host name (a `host:port` fails with
// ENOTFOUND, research iothub-emulator.md §2.1), MQTT devices dial 8883 unless GatewayHostName names another port,
// and MqttWs always dials wss://<host>:443 (azure-iot-device-mqtt mqtt_ws.js). So a port is written out only when
// it is not the protocol's default, and an emulator on 443/8883 hands out strings a real hub's app could use.
export const DEFAULT_HTTPS_PORT = 443;
export const DEFAULT_MQTT_PORT = 8883;

export interface EndpointAddress {
  hostName: string;
  httpsPort: number;
  mqttPort: number;
}

function withPort(hostName: string, port: number, defaultPort: number): string {
  return port === defaultPort ? hostName : `${hostName}:${port}`;
}

/** `HostName=<host>[:<port>];SharedAccessKeyName=<policy>;SharedAccessKey=<key>` */
export function serviceConnectionString(address: EndpointAddress, policy: string, key: string): string {
  return `HostName=${withPort(address.hostName, address.httpsPort, DEFAULT_HTTPS_PORT)};SharedAccessKeyName=${policy};SharedAccessKey=${key}`;
}

/** Where MQTT devices connect: the bare host on 8883, else `<host>:<port>` (the device SDK's gatewayHostName). */
export function mqttGatewayHostName(address: EndpointAddress): string {
  return withPort(address.hostName, address.mqttPort, DEFAULT_MQTT_PORT);
}

/** `HostName=<host>;DeviceId=<id>;SharedAccessKey=<key>[;GatewayHostName=<host>:<mqtt port>]` */
export function deviceConnectionString(address: EndpointAddress, deviceId: string, key: string): string {
  const gateway = mqttGatewayHostName(address);
  return `HostName=${address.hostName};DeviceId=${deviceId};SharedAccessKey=${key}` +
    (gateway === address.hostName ? '' : `;GatewayHostName=${gateway}`);
}
