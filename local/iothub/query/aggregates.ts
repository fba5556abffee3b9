// Aggregates of the SELECT clause: count(), avg/sum/min/max(<path>) (iot-hub-devguide-query-language.md,
// "SELECT clause" grammar). COUNT counts documents. SUM/AVG/MIN/MAX use the numeric values of their path and
// ignore everything else; when a group has no numeric value the result is undefined, so the key is left out.
import type { AggregateFunction } from './ast';

const AGGREGATES: ReadonlySet<string> = new Set<AggregateFunction>(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX']);

/** Aggregate names are case-insensitive (`COUNT()` and `count()` both appear in the docs). */
export function aggregateByName(name: string): AggregateFunction | undefined {
  const upper = name.toUpperCase();
  return AGGREGATES.has(upper) ? (upper as AggregateFunction) : undefined;
}

export interface Accumulator {
  /** One document of the group: `value` is the aggregate's argument for it (undefined for COUNT). */
  add(value: unknown): void;
  result(): number | undefined;
}

export function createAccumulator(fn: AggregateFunction): Accumulator {
  switch (fn) {
    case 'COUNT': {
      let count = 0;
      return { add: () => void (count += 1), result: () => count };
    }
    case 'SUM':
    case 'AVG': {
      let sum = 0;
      let count = 0;
      return {
        add(value) {
          if (typeof value !== 'number') return;
          sum += value;
          count += 1;
        },
        result: () => (count === 0 ? undefined : fn === 'SUM' ? sum : sum / count),
      };
    }
    case 'MIN':
    case 'MAX': {
      let best: number | undefined;
      return {
        add(value) {
          if (typeof value !== 'number') return;
          if (best === undefined || (fn === 'MIN' ? value < best : value > best)) best = value;
        },
        result: () => best,
      };
    }
  }
}
