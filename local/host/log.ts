// Host log entries: the worker's RpcLog plus the host's own messages. Never carries keys.
import type { RpcLogLevel } from './rpc/types';

export interface HostLogEntry {
  level: RpcLogLevel;
  category: string;
  message: string;
  functionName?: string;
}

export type HostLog = (entry: HostLogEntry) => void;

export function consoleLog(entry: HostLogEntry): void {
  const prefix = entry.functionName ? `[${entry.functionName}] ` : '';
  const line = `${new Date().toISOString()} ${entry.level.padEnd(11)} ${entry.category}: ${prefix}${entry.message}`;
  if (entry.level === 'error' || entry.level === 'critical' || entry.level === 'warning') process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
}

export function silentLog(): void {
  // Tests pass their own sink when they want to see logs.
}
