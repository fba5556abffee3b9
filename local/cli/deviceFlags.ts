// `npm start` flags that give simulated devices a behaviour (so every outcome can be tried from the command line)
// and tags (for the fleet report's tag filter).
import type { DeviceBehaviour } from '../devices';
import { UsageError } from './args';

export const BEHAVIOUR_FLAGS = {
  reject: { kind: 'string', description: 'comma-separated device ids that answer the method with 403 (outcome Rejected)' },
  offline: { kind: 'string', description: 'comma-separated device ids that never connect (outcome DeviceOffline)' },
  'never-returns': { kind: 'string', description: 'comma-separated device ids that accept, restart and never come back (outcome TimedOut)' },
  'report-failure': { kind: 'string', description: 'comma-separated device ids that accept and then report a failure (outcome Failed)' },
  tags: { kind: 'string', description: 'twin tags of every simulated device, name=value[,name=value] (e.g. site=north)' },
} as const;

const BEHAVIOURS: Record<'reject' | 'offline' | 'never-returns' | 'report-failure', DeviceBehaviour> = {
  reject: { kind: 'reject', status: 403, payload: { reason: 'refused by npm start --reject' } },
  offline: { kind: 'offline' },
  'never-returns': { kind: 'neverReturn' },
  'report-failure': { kind: 'reportFailed', reason: 'simulated failure (npm start --report-failure)' },
};

type Flags = Partial<Record<keyof typeof BEHAVIOUR_FLAGS, string | undefined>>;

function ids(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(',').map((id) => id.trim()).filter((id) => id !== '');
}

/** Behaviours by device id; a device named twice, or not in the fleet, is a usage error. */
export function deviceBehaviours(flags: Flags, fleet: readonly string[]): Record<string, DeviceBehaviour> {
  const out: Record<string, DeviceBehaviour> = {};
  for (const flag of Object.keys(BEHAVIOURS) as Array<keyof typeof BEHAVIOURS>) {
    for (const id of ids(flags[flag])) {
      if (!fleet.includes(id)) throw new UsageError(`--${flag}: ${id} is not one of the simulated devices (${fleet[0]} … ${fleet[fleet.length - 1]}).`);
      if (out[id] !== undefined) throw new UsageError(`--${flag}: ${id} already has a behaviour.`);
      out[id] = BEHAVIOURS[flag];
    }
  }
  return out;
}

/** `site=north,line=3` → { site: 'north', line: '3' }; undefined when not given. */
export function deviceTags(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  const tags: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.+?)\s*$/.exec(pair);
    if (match === null) throw new UsageError(`--tags takes name=value[,name=value], not "${pair}".`);
    tags[match[1]!] = match[2]!;
  }
  return tags;
}
