// The printed connection strings name a port only when it is not the protocol's default, so an emulator on 443 and
// 8883 hands out strings the unmodified SDKs use as they are (HostName=localhost, no GatewayHostName).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceConnectionString, mqttGatewayHostName, serviceConnectionString } from '../../../local/iothub/connectionStrings';

describe('emulator connection strings', () => {
  const cases = [
    { name: 'default ports', httpsPort: 443, mqttPort: 8883, service: 'HostName=localhost;', device: 'HostName=localhost;DeviceId=d1;SharedAccessKey=k', gateway: 'localhost' },
    { name: 'custom ports', httpsPort: 8443, mqttPort: 18883, service: 'HostName=localhost:8443;', device: 'HostName=localhost;DeviceId=d1;SharedAccessKey=k;GatewayHostName=localhost:18883', gateway: 'localhost:18883' },
    { name: 'default HTTPS, custom MQTT', httpsPort: 443, mqttPort: 1883, service: 'HostName=localhost;', device: 'HostName=localhost;DeviceId=d1;SharedAccessKey=k;GatewayHostName=localhost:1883', gateway: 'localhost:1883' },
    { name: 'custom HTTPS, default MQTT', httpsPort: 8443, mqttPort: 8883, service: 'HostName=localhost:8443;', device: 'HostName=localhost;DeviceId=d1;SharedAccessKey=k', gateway: 'localhost' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const address = { hostName: 'localhost', httpsPort: c.httpsPort, mqttPort: c.mqttPort };
      assert.equal(serviceConnectionString(address, 'iothubowner', 'key'), `${c.service}SharedAccessKeyName=iothubowner;SharedAccessKey=key`);
      assert.equal(deviceConnectionString(address, 'd1', 'k'), c.device);
      assert.equal(mqttGatewayHostName(address), c.gateway);
    });
  }
});
