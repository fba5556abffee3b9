// Counts the storage requests a Store makes, for `npm run bench -- host`: one per call, except
// writeHistory, writeEpisode (an episode's rows: history, own messages and work items, consumed messages, the
// instance row) and deleteMessages, which TableStore sends as entity-group transactions of up to 100 rows.
// Also counts episodes: every episode writes exactly one OrchestratorStarted event.
import type { HistoryEvent } from '../local/host/durable/history';
import type { EpisodeWrite, Store } from '../local/host/store/store';

export interface StoreCounts {
  requests: number;
  episodes: number;
  byMethod: Record<string, number>;
}

const ORCHESTRATOR_STARTED = 12;

export function countingStore(inner: Store): { store: Store; counts: StoreCounts } {
  const counts: StoreCounts = { requests: 0, episodes: 0, byMethod: {} };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'versionOf') return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => {
        const name = String(prop);
        let n = 1;
        if (name === 'writeHistory') {
          const events = args[2] as HistoryEvent[];
          n = Math.ceil(events.length / 100);
          counts.episodes += events.filter((e) => e.EventType === ORCHESTRATOR_STARTED).length;
        } else if (name === 'writeEpisode') {
          const write = args[0] as EpisodeWrite;
          n = Math.ceil((write.events.length + write.messages.length + write.workItems.length + write.consumed.length + 1) / 100);
          counts.episodes += write.events.filter((e) => e.EventType === ORCHESTRATOR_STARTED).length;
        } else if (name === 'deleteMessages') n = Math.ceil((args[1] as unknown[]).length / 100);
        counts.requests += n;
        counts.byMethod[name] = (counts.byMethod[name] ?? 0) + n;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, counts };
}
