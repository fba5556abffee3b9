// Table clients for the app's tables, by connection string (Azurite, storage keys) or by managed identity,
// each creating its table on first use.
import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';

export type TableConnection =
  | { kind: 'connectionString'; connectionString: string; tableName: string }
  | { kind: 'managedIdentity'; endpoint: string; tableName: string };

export function createTableClient(connection: TableConnection): TableClient {
  if (connection.kind === 'connectionString') {
    const insecure = /DefaultEndpointsProtocol=http;/i.test(connection.connectionString) || /TableEndpoint=http:\/\//i.test(connection.connectionString);
    return TableClient.fromConnectionString(connection.connectionString, connection.tableName, { allowInsecureConnection: insecure });
  }
  return new TableClient(connection.endpoint, connection.tableName, new DefaultAzureCredential(),
    { allowInsecureConnection: connection.endpoint.startsWith('http://') });
}

/** Creates the table once per process; a failure is retried on the next call. */
export class TableReady {
  private ready: Promise<void> | undefined;

  constructor(private readonly table: TableClient) {}

  ensure(): Promise<void> {
    // createTable treats "already exists" as success.
    this.ready ??= this.table.createTable().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }
}

/** HTTP status of a failed @azure/data-tables call (RestError.statusCode), if any. */
export function tableStatus(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}
