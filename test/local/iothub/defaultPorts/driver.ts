// Runs inside a private network namespace (so 443 and 8883 are free whatever else runs on the machine): starts the
// emulator CLI with --default-ports, then the unmodified app with only the printed connection strings and
// NODE_EXTRA_CA_CERTS, and prints the app's output and the CLI's connection strings as one JSON line.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const extension = path.extname(__filename);
const node = (script: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawn(process.execPath, [...process.execArgv, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });

async function main(): Promise<void> {
  const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iothub-default-ports-'));
  const cli = node(path.resolve(__dirname, `../../../../local/iothub/cli${extension}`), ['--default-ports', '--devices', '1', '--cert-dir', certDir]);
  let printed = '';
  let errors = '';
  cli.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  cli.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    cli.stdout.on('data', () => printed.includes('Press Ctrl+C') && resolve());
    cli.once('exit', (code) => reject(new Error(`the emulator exited (${code}): ${errors}`)));
  });
  const service = /Service connection string: (\S+)/.exec(printed)?.[1] ?? '';
  const device = /Device connection string \(sim-001\): (\S+)/.exec(printed)?.[1] ?? '';
  const ca = /CA certificate: (\S+)/.exec(printed)?.[1] ?? '';
  const app = node(path.resolve(__dirname, `unmodifiedApp${extension}`), [service, device], { ...process.env, NODE_EXTRA_CA_CERTS: ca });
  let output = '';
  let appErrors = '';
  app.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  app.stderr.on('data', (chunk: Buffer) => (appErrors += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => app.once('exit', resolve));
  cli.kill('SIGTERM');
  await new Promise((resolve) => cli.once('exit', resolve));
  fs.rmSync(certDir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ service, device, appExitCode: code, app: output.trim(), appErrors: appErrors.trim() })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
