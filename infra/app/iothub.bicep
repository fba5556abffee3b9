// A new IoT hub (when no existing hub is named). Standard or Free tier: Basic tiers have no direct methods or
// device twins (https://learn.microsoft.com/azure/iot-hub/iot-hub-scaling), which the app needs.
param name string
param location string
param tags object
@allowed(['F1', 'S1', 'S2', 'S3'])
param sku string
@minValue(1)
param units int
@description('Route twin change events to the built-in events endpoint, read through their own consumer group (issue 14).')
param twinChangeEvents bool
@description('Consumer group on the built-in endpoint that the app\'s Event Hubs trigger reads.')
param twinEventsConsumerGroup string

resource hub 'Microsoft.Devices/IotHubs@2023-06-30' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
    capacity: sku == 'F1' ? 1 : units
  }
  properties: {
    minTlsVersion: '1.2'
    // Twin change events reach no endpoint unless a route with source TwinChangeEvents exists
    // (https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-device-twins#back-end-operations). A route to
    // the built-in `events` endpoint keeps telemetry flowing there through the fallback route.
    routing: {
      routes: twinChangeEvents ? [
        {
          name: 'TwinChangesToBuiltInEvents'
          source: 'TwinChangeEvents'
          condition: 'true'
          endpointNames: ['events']
          isEnabled: true
        }
      ] : []
      fallbackRoute: {
        name: '$fallback'
        source: 'DeviceMessages'
        condition: 'true'
        endpointNames: ['events']
        isEnabled: true
      }
    }
  }
}

// The app reads with a consumer group of its own, so other readers of the built-in endpoint keep theirs.
resource twinEventsReader 'Microsoft.Devices/IotHubs/eventHubEndpoints/ConsumerGroups@2023-06-30' = if (twinChangeEvents) {
  name: '${hub.name}/events/${twinEventsConsumerGroup}'
  properties: {
    name: twinEventsConsumerGroup
  }
}

output hostName string = hub.properties.hostName
@description('The Event Hub-compatible name of the built-in events endpoint (IOTHUB_EVENTS_NAME).')
output eventHubCompatibleName string = hub.properties.eventHubEndpoints.events.path
