// An app written exactly as for a real hub: the SDKs' fromConnectionString, no agent, no CA option, no port. It
// trusts the emulator only through NODE_EXTRA_CA_CERTS. Prints one JSON line with what it observed.
import { Client as ServiceClient, Registry } from 'azure-iothub';
import { Client as DeviceClient } from 'azure-iot-device';
import { Mqtt, MqttWs } from 'azure-iot-device-mqtt';

async function main(): Promise<void> {
  const [serviceConnectionString, deviceConnectionString] = process.argv.slice(2);
  if (!serviceConnectionString || !deviceConnectionString) throw new Error('usage: unmodifiedApp <service connection string> <device connection string>');
  const registry = Registry.fromConnectionString(serviceConnectionString);
  const service = ServiceClient.fromConnectionString(serviceConnectionString);
  const observed: Record<string, unknown> = {};

  const mqttDevice = DeviceClient.fromConnectionString(deviceConnectionString, Mqtt);
  await mqttDevice.open();
  mqttDevice.onDeviceMethod('reboot', (_request, response) => {
    response.send(200, { over: 'mqtts:8883' }, () => undefined);
  });
  // onDeviceMethod subscribes in the background: until the subscription lands the hub answers 404103, so try again.
  for (let attempt = 1; observed.mqttMethod === undefined; attempt++) {
    try {
      observed.mqttMethod = (await service.invokeDeviceMethod('sim-001', { methodName: 'reboot', payload: null, responseTimeoutInSeconds: 10 })).result;
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await mqttDevice.close();

  const wsDevice = DeviceClient.fromConnectionString(deviceConnectionString, MqttWs);
  await wsDevice.open();
  const twin = await wsDevice.getTwin();
  await new Promise<void>((resolve, reject) => twin.properties.reported.update({ transport: 'wss:443' }, (error?: Error) => (error ? reject(error) : resolve())));
  await wsDevice.close();

  observed.reported = (await registry.getTwin('sim-001')).responseBody.properties.reported.transport;
  process.stdout.write(`${JSON.stringify(observed)}\n`);
}

main().then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
