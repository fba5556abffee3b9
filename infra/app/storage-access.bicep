// Data roles on the storage account for the app's identity: what the Functions host, Flex Consumption deployment
// and the Durable Azure Storage backend need (Blob Data Owner, Queue Data Contributor, Table Data Contributor), which
// also covers the operations table. Role ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
param storageAccountName string
param appPrincipalId string
@description('Optional: a developer who may read the operations table (Storage Table Data Reader).')
param developerPrincipalId string = ''

var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var storageTableDataReader = '76199698-9eea-4c19-bc75-cec21354c6b6'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in [storageBlobDataOwner, storageQueueDataContributor, storageTableDataContributor]: {
  name: guid(account.id, appPrincipalId, roleId)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}]

resource developerTableReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(developerPrincipalId)) {
  name: guid(account.id, developerPrincipalId, storageTableDataReader)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataReader)
    principalId: developerPrincipalId
  }
}
