// Entry point of `azd provision` / `azd up` (azd convention: infra/main.bicep, subscription scope, a resource
// group per environment, resources tagged azd-env-name; the function app tagged azd-service-name: api).
// Keyless by design: the app reaches Storage, the operations table, IoT Hub, Application Insights and the
// Durable Task Scheduler with its user-assigned managed identity. No output and no app setting holds a secret.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Region for every resource. Flex Consumption is not in every region: az functionapp list-flexconsumption-locations.')
param location string

@description('Object id of the person running azd (AZURE_PRINCIPAL_ID). When set, they may read the operations table.')
param principalId string = ''

@description('Resource group to create or reuse; default rg-<environmentName>.')
param resourceGroupName string = ''

@description('Name of an existing IoT hub to use. Empty: create a new hub in the resource group.')
param existingIotHubName string = ''

@description('Resource group of the existing IoT hub. Empty: the hub is in this deployment\'s resource group.')
param existingIotHubResourceGroup string = ''

@description('SKU of a new IoT hub. Basic tiers have no direct methods or twins, so only F1 and S1–S3 are allowed.')
@allowed(['F1', 'S1', 'S2', 'S3'])
param iotHubSku string = 'S1'

@description('Units of a new IoT hub (F1: 1).')
param iotHubUnits string = '1'

@description('Role the app gets on the hub: Custom = only the data actions the app uses; DataContributor = the built-in IoT Hub Data Contributor.')
@allowed(['Custom', 'DataContributor'])
param iotHubRole string = 'Custom'

@description('Assign the hub role. Set false when the deployer may not write role assignments on the hub; then grant it by hand (README, Deployment).')
param grantIotHubRole bool = true

@description('Route twin change events of a new hub to its built-in events endpoint with a consumer group for the app (issue 14). Set IOTHUB_EVENTS_CONNECTION afterwards (README).')
param twinChangeEvents bool = false

@description('Consumer group of the app on the built-in events endpoint.')
param twinEventsConsumerGroup string = 'device-operations'

@description('Durable Functions backend: AzureStorage (the app\'s storage account) or DurableTaskScheduler (a managed scheduler).')
@allowed(['AzureStorage', 'DurableTaskScheduler'])
param durableBackend string = 'AzureStorage'

@description('SKU of the Durable Task Scheduler when durableBackend = DurableTaskScheduler.')
@allowed(['Consumption', 'Dedicated'])
param durableTaskSchedulerSku string = 'Consumption'

@description('Durable task hub name (DURABLE_TASK_HUB_NAME): 3–45 letters and digits, starting with a letter.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'DeviceReboot'

@description('Table that records every device operation (OPERATIONS_TABLE_NAME).')
param operationsTableName string = 'DeviceOperations'

@description('Node.js version of the Flex Consumption runtime.')
@allowed(['20', '22'])
param nodeVersion string = '20'

@description('Flex Consumption instance memory in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Flex Consumption scale-out limit.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
// Flex Consumption pulls the deployment package from this blob container, as the app's identity.
var deploymentContainerName = 'app-package-${take(resourceToken, 7)}'
var useExistingHub = !empty(existingIotHubName)
var iotHubName = useExistingHub ? existingIotHubName : '${abbrs.devicesIotHubs}${resourceToken}'
var useScheduler = durableBackend == 'DurableTaskScheduler'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    operationsTableName: operationsTableName
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module storageAccess 'app/storage-access.bicep' = {
  name: 'storage-access'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    appPrincipalId: identity.outputs.principalId
    developerPrincipalId: principalId
  }
}

module monitoringAccess 'app/monitoring-access.bicep' = {
  name: 'monitoring-access'
  scope: rg
  params: {
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
  }
}

module newIotHub 'app/iothub.bicep' = if (!useExistingHub) {
  name: 'iothub'
  scope: rg
  params: {
    name: iotHubName
    location: location
    tags: tags
    sku: iotHubSku
    units: int(iotHubUnits)
    twinChangeEvents: twinChangeEvents
    twinEventsConsumerGroup: twinEventsConsumerGroup
  }
}

// The hub may live in another resource group; the role is assigned there, on the hub itself.
module iotHubAccess 'app/iothub-access.bicep' = {
  name: 'iothub-access'
  scope: resourceGroup(useExistingHub && !empty(existingIotHubResourceGroup) ? existingIotHubResourceGroup : rg.name)
  params: {
    iotHubName: iotHubName
    appPrincipalId: identity.outputs.principalId
    role: iotHubRole
    grant: grantIotHubRole
  }
  dependsOn: [newIotHub]
}

module scheduler 'app/durable-task-scheduler.bicep' = if (useScheduler) {
  name: 'durable-task-scheduler'
  scope: rg
  params: {
    name: '${abbrs.durableTaskSchedulers}${resourceToken}'
    location: location
    tags: tags
    skuName: durableTaskSchedulerSku
    taskHubName: taskHubName
    appPrincipalId: identity.outputs.principalId
  }
}

module functionApp 'app/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    nodeVersion: nodeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    iotHubHostName: iotHubAccess.outputs.hostName
    operationsTableName: operationsTableName
    taskHubName: taskHubName
    iotHubSku: iotHubSku
    iotHubUnits: iotHubUnits
    durableTaskSchedulerEndpoint: useScheduler ? scheduler.outputs.endpoint : ''
    // Only a hub this template creates gets the route; for an existing hub add it by hand (README).
    twinEventsName: twinChangeEvents && !useExistingHub ? newIotHub.outputs.eventHubCompatibleName : ''
    twinEventsConsumerGroup: twinEventsConsumerGroup
  }
  // Data roles first: the host starts with identity-based connections as soon as the app exists.
  dependsOn: [storageAccess, monitoringAccess]
}

// azd writes these to .azure/<env>/.env. Names and URLs only: nothing here grants access.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output IOTHUB_HOST_NAME string = iotHubAccess.outputs.hostName
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output DURABLE_BACKEND string = durableBackend
