// The Function App on the Flex Consumption plan (FC1, Linux), running as the user-assigned identity.
// App settings hold names, URLs and client ids only. Identity-based host storage uses AzureWebJobsStorage__*
// (https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity);
// on Flex Consumption the runtime comes from functionAppConfig, not FUNCTIONS_WORKER_RUNTIME
// (https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations).
param name string
param planName string
param location string
param tags object
param nodeVersion string
param instanceMemoryMB int
param maximumInstanceCount int
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
param iotHubHostName string
param operationsTableName string
param taskHubName string
@description('The hub\'s tier and units: rollouts pace device starts to its throttles.')
param iotHubSku string
param iotHubUnits string
@description('Event Hub-compatible name of the hub\'s built-in events endpoint when twin change events are routed there; empty: polling only.')
param twinEventsName string
param twinEventsConsumerGroup string
@description('Durable Task Scheduler endpoint; empty selects the Azure Storage backend.')
param durableTaskSchedulerEndpoint string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

var baseSettings = {
  // Host storage and the Durable Azure Storage backend, by identity.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  DURABLE_TASK_HUB_NAME: taskHubName
  // DefaultAzureCredential (@azure/identity) picks the user-assigned identity by this client id.
  AZURE_CLIENT_ID: identityClientId
  IOTHUB_HOST_NAME: iotHubHostName
  OPERATIONS_TABLE_ENDPOINT: storage.properties.primaryEndpoints.table
  OPERATIONS_TABLE_NAME: operationsTableName
  IOTHUB_SKU: iotHubSku
  IOTHUB_UNITS: iotHubUnits
  // Not a secret: the connection string only locates the resource; with local auth disabled, ingestion needs
  // an Entra token (https://learn.microsoft.com/azure/azure-monitor/app/connection-strings).
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

// host.json names the Azure Storage backend; app settings override host.json values
// (https://learn.microsoft.com/azure/azure-functions/functions-host-json#override-hostjson-values), so the same
// package runs on either backend.
var schedulerSettings = empty(durableTaskSchedulerEndpoint) ? {} : {
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${durableTaskSchedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
}

// Twin change events (issue 14): the Event Hub and consumer group the app's trigger reads. The connection itself,
// IOTHUB_EVENTS_CONNECTION, is set by the operator (README, "Twin change events"): the built-in endpoint accepts
// only shared access keys, which never go through this template.
var twinEventSettings = empty(twinEventsName) ? {} : {
  IOTHUB_EVENTS_NAME: twinEventsName
  IOTHUB_EVENTS_CONSUMER_GROUP: twinEventsConsumerGroup
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: union(baseSettings, schedulerSettings, twinEventSettings)
  }

  // No basic-auth publishing (FTP, SCM): deployments go through Entra ID (azd, az functionapp deploy).
  resource ftp 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: { allow: false }
  }

  resource scm 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: { allow: false }
  }
}

output name string = app.name
output uri string = 'https://${app.properties.defaultHostName}'
