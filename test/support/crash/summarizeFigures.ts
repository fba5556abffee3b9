// Summarises a CRASH_FIGURES_FILE (one JSON line per scenario run) as a "before/after" table:
//   node dist/test/support/crash/summarizeFigures.js figures.jsonl
import * as fs from 'node:fs';
import type { Figures } from './scenario';

type Line = Figures & { at: string };

function add(total: Record<string, number>, part: Record<string, number>): void {
  for (const [key, value] of Object.entries(part)) total[key] = (total[key] ?? 0) + value;
}

function show(counts: Record<string, number>): string {
  return Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${k}: ${n}`).join(', ');
}

export function summarize(lines: readonly Line[]): string {
  const out: string[] = [];
  const groups = new Map<string, Line[]>();
  for (const line of lines) {
    const key = `${line.scenario} / ${line.operation}`;
    groups.set(key, [...(groups.get(key) ?? []), line]);
  }
  for (const [key, runs] of groups) {
    out.push(`== ${key}: ${runs.length} run(s)`);
    const deliveries: Record<string, number> = {};
    const outcomes: Record<string, number> = {};
    const history: Record<string, number> = {};
    for (const run of runs) {
      add(deliveries, run.deliveries);
      add(outcomes, run.outcomes);
      add(history, run.historyRows);
      const crash = run.crash ? ` | crash at ${run.crash.reachedAtCrash} reached, ${run.crash.unansweredAtCrash} unanswered` : '';
      const proxy = run.proxy ? ` | proxy dropped ${run.proxy.dropped}` : '';
      out.push(`  ${run.at} ops ${run.operations}, wall ${Math.round(run.wallMs / 1000)} s${crash}${proxy}`);
      out.push(`    deliveries {${show(run.deliveries)}}  outcomes {${show(run.outcomes)}}  history rows {${show(run.historyRows)}}`);
      out.push(`    deliveries → outcome {${show(run.deliveriesByOutcome)}}`);
    }
    out.push(`  total deliveries {${show(deliveries)}}  outcomes {${show(outcomes)}}  history rows {${show(history)}}`);
  }
  return out.join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: summarizeFigures <figures.jsonl>\n');
    process.exit(2);
  }
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Line);
  process.stdout.write(`${summarize(lines)}\n`);
}
