// A new IoT hub (when no existing hub is named). Standard or Free tier: Basic tiers have no direct methods or
// device twins (https://learn.microsoft.com/azure/iot-hub/iot-hub-scaling), which the app needs.
param name string
param location string
param tags object
@allowed(['F1', 'S1', 'S2', 'S3'])
param sku string
@minValue(1)
param units int

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
  }
}

output hostName string = hub.properties.hostName
