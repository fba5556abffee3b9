// The app's user-assigned managed identity: every data role is granted to it, and the app settings name its
// client id (Durable's identity connections need clientId, not a resource id: durable-functions-configure-managed-identity).
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
