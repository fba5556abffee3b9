// Starts the real Azurite Table service (npm `azurite`) inside this process on 127.0.0.1.
// In-process rather than through Azurite's CLI because the CLI prints the configured port (0), not the
// bound one, and because its CLI entry point initialises telemetry, which would try to reach the internet.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Azurite's published, well-known development account (https://learn.microsoft.com/azure/storage/common/storage-use-azurite). */
export const DEV_ACCOUNT_NAME = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Interface to bind; loopback by default. */
  host?: string;
  /** 0 picks a free port. */
  tablePort?: number;
  /** A folder for Azurite's data; without it, data lives in memory and is gone at stop(). */
  location?: string;
}

export interface RunningAzurite {
  tableEndpoint: string;
  tablePort: number;
  /** An Azure Storage connection string for the Table service only. */
  connectionString: string;
  stop(): Promise<void>;
}

interface AzuriteTableServer {
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const host = options.host ?? '127.0.0.1';
  const port = options.tablePort ?? 0;
  // Azurite ships CommonJS under dist/ with no exports map; these two classes are its own programmatic API.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const TableServer = require('azurite/dist/src/table/TableServer').default;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const TableConfiguration = require('azurite/dist/src/table/TableConfiguration').default;
  const inMemory = options.location === undefined;
  // Azurite writes its debug log and Loki metadata under this folder even in memory mode; keep it out of the repo.
  const location = options.location ?? fs.mkdtempSync(path.join(os.tmpdir(), 'azurite-'));
  fs.mkdirSync(location, { recursive: true });
  const config = new TableConfiguration(
    host, port, 65_000, path.join(location, '__azurite_db_table__.json'),
    false, false, undefined, undefined, false, true, '', '', '', undefined, false, inMemory,
  );
  const server: AzuriteTableServer = new TableServer(config);
  await server.start();
  const address = server.getHttpServerAddress();
  const boundPort = Number(new URL(address).port);
  const tableEndpoint = `http://${host}:${boundPort}/${DEV_ACCOUNT_NAME}`;
  let stopped = false;
  return {
    tableEndpoint,
    tablePort: boundPort,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT_NAME};AccountKey=${DEV_ACCOUNT_KEY};TableEndpoint=${tableEndpoint};`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      if (inMemory) {
        await server.clean().catch(() => undefined);
        fs.rmSync(location, { recursive: true, force: true });
      }
    },
  };
}
