/**
 * A device twin exactly as REST GET /twins/{id} returns it: deviceId, etag, version, status, statusReason?,
 * statusUpdateTime, connectionState ('Connected' | 'Disconnected'), lastActivityTime, cloudToDeviceMessageCount,
 * authenticationType, x509Thumbprint, capabilities, tags?, and properties.desired / properties.reported
 * (each with $metadata and $version). The engine only reads it.
 */
export type TwinDocument = Record<string, unknown>;
