// Command line for the local Functions host:
//   host --app-root <dir> [--port 7071] [--storage <connection string>|memory] [--clock real|virtual|manual]
//        [--host 127.0.0.1] [--function-key K] [--master-key K] [--system-key K] [--json]
// The keys are kept in the store (a restarted host on the same storage keeps them); --*-key pins them.
// Prints the base URL and keys (that is its purpose: a developer needs them to call the functions),
// then runs until SIGINT/SIGTERM and stops cleanly (appTerminate hooks run).
import type { HostKeyOptions } from './http/keys';
import { startLocalHost, type ClockMode } from './index';

interface CliArgs {
  appRoot: string;
  port: number;
  storage: string;
  clock: ClockMode;
  host: string;
  json: boolean;
  keys: HostKeyOptions;
}

function usage(message?: string): never {
  if (message) process.stderr.write(`${message}\n`);
  process.stderr.write('usage: host --app-root <dir> [--port 7071] [--storage <connection string>|memory] [--clock real|virtual|manual] [--host 127.0.0.1] [--function-key K] [--master-key K] [--system-key K] [--json]\n');
  process.exit(2);
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliArgs {
  const args: CliArgs = { appRoot: process.cwd(), port: 7071, storage: env.AzureWebJobsStorage ?? 'memory', clock: 'real', host: '127.0.0.1', json: false, keys: {} };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--app-root':
        args.appRoot = value();
        break;
      case '--port': {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port must be 0-65535');
        args.port = port;
        break;
      }
      case '--storage':
        args.storage = value();
        break;
      case '--clock': {
        const clock = value();
        if (clock !== 'real' && clock !== 'virtual' && clock !== 'manual') usage('--clock must be real, virtual or manual');
        args.clock = clock;
        break;
      }
      case '--host':
        args.host = value();
        break;
      case '--function-key':
        args.keys.functionKey = value();
        break;
      case '--master-key':
        args.keys.masterKey = value();
        break;
      case '--system-key':
        args.keys.systemKey = value();
        break;
      case '--json':
        args.json = true;
        break;
      case '--help':
      case '-h':
        usage();
        break;
      default:
        usage(`unknown argument ${flag}`);
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const host = await startLocalHost({ appRoot: args.appRoot, port: args.port, storage: args.storage, clock: args.clock, host: args.host, keys: args.keys, log: 'console' });
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ baseUrl: host.baseUrl, functionKey: host.functionKey, masterKey: host.masterKey, systemKey: host.systemKey, workerPid: host.workerPid })}\n`);
  } else {
    process.stdout.write(`Local Functions host: ${host.baseUrl}\nFunction key: ${host.functionKey}\nMaster key:   ${host.masterKey}\nFunctions:    ${host.functions.map((f) => f.name).join(', ')}\n`);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal} received, stopping the host...\n`);
    host.stop().then(
      () => process.exit(0),
      (err: Error) => {
        process.stderr.write(`stop failed: ${err.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`Local host failed to start: ${err.message}\n`);
    process.exit(1);
  });
}
