// The app's identity on the hub's data plane. Deployed in the hub's resource group, so an existing hub elsewhere works.
// Custom: exactly the data actions the app uses (azure-iothub service SDK, src/adapters/iothub):
//   Client.invokeDeviceMethod -> directMethods/invoke/action; Registry.getTwin and twin queries -> twins/read;
//   Registry.get (device identity, connection time) -> devices/read.
// DataContributor: the built-in IoT Hub Data Contributor (Microsoft.Devices/IotHubs/*).
// Data actions and role id: https://learn.microsoft.com/azure/iot-hub/authenticate-authorize-azure-ad and
// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/internet-of-things
param iotHubName string
param appPrincipalId string
@allowed(['Custom', 'DataContributor'])
param role string
param grant bool

var iotHubDataContributor = '4fc6c259-987e-4a07-842e-c321cc9d413f'
var appDataActions = [
  'Microsoft.Devices/IotHubs/directMethods/invoke/action'
  'Microsoft.Devices/IotHubs/twins/read'
  'Microsoft.Devices/IotHubs/devices/read'
]

resource hub 'Microsoft.Devices/IotHubs@2023-06-30' existing = {
  name: iotHubName
}

resource deviceOperator 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (grant && role == 'Custom') {
  name: guid(resourceGroup().id, 'iot-device-operations')
  properties: {
    roleName: 'IoT device operations (${uniqueString(resourceGroup().id)})'
    description: 'Invoke direct methods, read twins (and twin queries) and read device identities on IoT hubs in this resource group.'
    type: 'CustomRole'
    assignableScopes: [resourceGroup().id]
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: appDataActions
        notDataActions: []
      }
    ]
  }
}

// Role definitions live at subscription level even when declared here, so the id is built from the name.
var roleDefinitionId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role == 'Custom' ? deviceOperator.name : iotHubDataContributor)

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grant) {
  name: guid(hub.id, appPrincipalId, role)
  scope: hub
  properties: {
    roleDefinitionId: roleDefinitionId
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output hostName string = hub.properties.hostName
output roleDefinitionId string = grant ? roleDefinitionId : ''
