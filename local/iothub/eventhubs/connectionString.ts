// The Event Hubs-compatible connection string of the built-in endpoint, shaped as the portal shows IoT Hub's
// ("Built-in endpoints": Endpoint=sb://…/;SharedAccessKeyName=…;SharedAccessKey=…;EntityPath=<hub name>) plus
// UseDevelopmentEmulator=true, which makes the Event Hubs SDK speak plain AMQP to the port in Endpoint.

/** IoT Hub's Event Hub-compatible name is the hub's name: the first label of its host name. */
export function hubNameOf(hostName: string): string {
  const dot = hostName.indexOf('.');
  return dot === -1 ? hostName : hostName.slice(0, dot);
}

export function eventHubsConnectionString(host: string, port: number, policy: string, key: string, hubName: string): string {
  return `Endpoint=sb://${host}:${port}/;SharedAccessKeyName=${policy};SharedAccessKey=${key};EntityPath=${hubName};UseDevelopmentEmulator=true`;
}
