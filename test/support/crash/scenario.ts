// One crash scenario from start to figures: N devices that answer slowly, one operation each, a crash at the
// moment "k devices have received the method but not all" (kill -9 of the host, or of its language worker), or a
// proxy that loses the hub's answers after delivery; then every operation followed to its end over HTTP, and
// what each device received counted at the device. The assertions are the tests' business (test/e2e/crash).
import * as fs from 'node:fs';
import { DEFINITE_OUTCOMES, isUncertainOutcome, operationBody, type FinalStatus, type HistoryRow, type OperationKind, type StartedOperation } from './appClient';
import { startCrashStack, type CrashStack } from './crashStack';
import { elementAt } from '../elementAt';

export type CrashMode = 'killHost' | 'killWorker' | 'dropAnswer' | 'none';

export interface ScenarioOptions {
  mode: CrashMode;
  operation: OperationKind;
  deviceCount: number;
  /** killHost / killWorker: crash once this many devices have received the method (and not all of them). */
  crashAfterDeliveries: number;
  /** Devices answer the method after a delay spread over this range (behaviour `slow`). */
  answerDelayMs: readonly [number, number];
  /** How long a device stays down for reboot / factory reset, and each firmware phase. */
  deviceDowntimeMs: number;
  /**
   * Following the operations to their end is bounded by their own deadline (timeoutSeconds, counted from when every
   * start was accepted) plus this grace: an operation that ends only at its deadline (a core that cannot confirm a
   * delivery and waits) is still seen ending, and one that hangs beyond it is reported as not terminal.
   */
  settleGraceMs: number;
  /** Route the app's hub traffic through the answer-dropping proxy (always for dropAnswer; disarmed otherwise). */
  viaProxy: boolean;
  /** Request timing sent with every start. */
  request: { pollIntervalSeconds: number; timeoutSeconds: number; responseTimeoutInSeconds: number };
}

export interface OperationResult {
  deviceId: string;
  kind: OperationKind;
  instanceId: string;
  /** Times the device received the operation's method (counted at the device). */
  deliveries: number;
  /** Times the device reported the operation complete (reboot/factoryReset `completed`, firmware `apply … complete`). */
  completions: number;
  final: FinalStatus;
  /** The device's history rows, or the error reading them. */
  history: HistoryRow[] | { error: string };
}

export interface CrashRecord {
  /** Devices that had received the method when the process was killed. */
  reachedAtCrash: number;
  /** Of those, devices that had not answered yet (no report of the operation yet): calls surely in flight. */
  unansweredAtCrash: number;
  /** killHost: whether the orphaned worker went away within 15 s. */
  orphanWorkerGone?: boolean;
  /** Devices reached once the killed processes were gone (requests already at the hub still get delivered). */
  reachedAfterKill: number;
  /** killHost: time to the new host's JSON line. */
  restartMs?: number;
  /** killHost: HTTP status of an old status URL (old key) on the new host. */
  oldStatusUrlAnswer?: number;
  /** killHost: whether the function key changed with the restart. */
  functionKeyChanged?: boolean;
  /** killHost: whether the new host came back on the same port. */
  samePort?: boolean;
}

export interface ScenarioResult {
  options: ScenarioOptions;
  operations: OperationResult[];
  /** Devices whose start was not accepted (POST not 202), with the error. */
  notAccepted: { deviceId: string; error: string }[];
  crash: CrashRecord | null;
  proxy: { dropped: number; methodRequests: number; upstreamErrors: number } | null;
  wallMs: number;
  /** Milliseconds from the scenario's start at which each phase ended. */
  phases: Record<string, number>;
  /** The last host log lines, for failure messages. */
  hostLogTail: string[];
  logFile: string | undefined;
}

const COMPLETED_STATUS: Record<OperationKind, string> = {
  reboot: 'completed',
  factoryReset: 'completed',
  firmwareUpdate: 'apply firmware image complete',
};

/** Device-side: how many acknowledged reports of `kind` the device sent, and how many said it was complete. */
function reportsOf(stack: CrashStack, deviceId: string, kind: OperationKind): { any: number; completed: number } {
  let any = 0;
  let completed = 0;
  for (const { patch } of stack.fleet.device(deviceId).reports) {
    const section = (patch.iothubDM as Record<string, { status?: unknown } | undefined> | undefined)?.[kind];
    if (section === undefined) continue;
    any++;
    if (section.status === COMPLETED_STATUS[kind]) completed++;
  }
  return { any, completed };
}

async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(elementAt(items, i));
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

export function scenarioOptions(mode: CrashMode, overrides: Partial<ScenarioOptions> = {}): ScenarioOptions {
  const deviceCount = Number(process.env.CRASH_DEVICES ?? 50);
  const operation = (process.env.CRASH_OPERATION ?? 'reboot') as OperationKind;
  if (!['reboot', 'factoryReset', 'firmwareUpdate'].includes(operation)) throw new Error(`CRASH_OPERATION=${operation} is not an operation kind`);
  return {
    mode,
    operation,
    deviceCount,
    crashAfterDeliveries: Math.max(1, Math.ceil(deviceCount * 0.3)),
    answerDelayMs: [1500, 3000],
    deviceDowntimeMs: 1000,
    settleGraceMs: 30_000,
    viaProxy: mode === 'dropAnswer',
    // A deadline far beyond what a device needs (≤ 3 s answer + 1 s down): on a machine so loaded (load 10-15 on
    // 2 cores) that 50 starts took a minute, a 60-90 s deadline expired for devices that had completed, so
    // TimedOut said nothing about the app.
    request: { pollIntervalSeconds: 2, timeoutSeconds: 150, responseTimeoutInSeconds: 10 },
    ...overrides,
  };
}

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const phases: Record<string, number> = {};
  const mark = (phase: string): void => {
    phases[phase] = Date.now() - started;
  };
  const [minDelay, maxDelay] = options.answerDelayMs;
  const steps = 7;
  const stack = await startCrashStack({
    deviceCount: options.deviceCount,
    // Spread the answers so that, at any moment, some calls are answered and some are still in flight.
    behaviour: (i) => ({ kind: 'slow', answerDelayMs: Math.round(minDelay + ((i % steps) * (maxDelay - minDelay)) / (steps - 1)) }),
    timings: {
      rebootDurationMs: options.deviceDowntimeMs,
      factoryResetDurationMs: options.deviceDowntimeMs,
      firmwareDownloadMs: options.deviceDowntimeMs,
      firmwareApplyMs: options.deviceDowntimeMs,
    },
    proxy: options.viaProxy || options.mode === 'dropAnswer',
  });
  const kind = options.operation;
  mark('stackUp');
  try {
    if (options.mode === 'dropAnswer') {
      const proxy = stack.proxy!;
      proxy.arm(stack.deviceIds);
      // Disarm a device the moment it has the method: its answer (already on its way) is still dropped, while
      // its later requests (a retry, the twin reads) pass.
      stack.deliveries.onDelivery((d) => {
        if (d.methodName === kind) proxy.disarm(d.deviceId);
      });
    }

    const body = operationBody(kind, options.request);
    const starts = await Promise.allSettled(stack.deviceIds.map((id) => stack.api.start(kind, id, body)));
    const accepted: StartedOperation[] = [];
    const notAccepted: { deviceId: string; error: string }[] = [];
    starts.forEach((s, i) => {
      if (s.status === 'fulfilled') accepted.push(s.value);
      else notAccepted.push({ deviceId: elementAt(stack.deviceIds, i), error: String((s.reason as Error)?.message ?? s.reason) });
    });

    mark('accepted');
    const acceptedAt = Date.now();
    if (accepted.length < 2) {
      throw new Error(`only ${accepted.length} of ${options.deviceCount} starts were accepted; first refusal: ${notAccepted[0]?.error}`);
    }
    let crash: CrashRecord | null = null;
    if (options.mode === 'killHost' || options.mode === 'killWorker') {
      const k = Math.min(options.crashAfterDeliveries, accepted.length - 1);
      await stack.deliveries.waitUntil(() => stack.deliveries.devicesReached(kind) >= k, 60_000,
        `${k} devices have received '${kind}'`);
      mark('crash');
      const reachedAtCrash = stack.deliveries.devicesReached(kind);
      const unansweredAtCrash = stack.deviceIds.filter((id) => stack.deliveries.count(id, kind) > 0 && reportsOf(stack, id, kind).any === 0).length;
      const old = stack.host;
      if (options.mode === 'killHost') {
        const { workerGone } = await old.killHost();
        const reachedAfterKill = stack.deliveries.devicesReached(kind);
        const t0 = Date.now();
        const next = await stack.restartHost();
        mark('restarted');
        const restartMs = Date.now() - t0;
        let oldStatusUrlAnswer: number | undefined;
        if (accepted.length > 0) {
          oldStatusUrlAnswer = (await stack.api.statusOnce(elementAt(accepted, 0).location, true).catch(() => ({ httpStatus: 0 }))).httpStatus;
        }
        crash = {
          reachedAtCrash, unansweredAtCrash, orphanWorkerGone: workerGone, reachedAfterKill, restartMs, oldStatusUrlAnswer,
          functionKeyChanged: next.info.functionKey !== old.info.functionKey, samePort: next.port === old.port,
        };
      } else {
        await old.killWorker();
        crash = { reachedAtCrash, unansweredAtCrash, reachedAfterKill: stack.deliveries.devicesReached(kind) };
      }
    }

    const deadline = acceptedAt + options.request.timeoutSeconds * 1000 + options.settleGraceMs;
    const finals = await stack.api.awaitAllFinal(accepted.map((op) => op.location), deadline);
    mark('terminal');
    const histories = await inBatches(accepted, 8, async (op) => {
      try {
        return await stack.api.history(op.deviceId);
      } catch (err) {
        return { error: (err as Error).message };
      }
    });
    const operations = accepted.map((op, i): OperationResult => ({
      deviceId: op.deviceId,
      kind,
      instanceId: op.instanceId,
      deliveries: stack.deliveries.count(op.deviceId, kind),
      completions: reportsOf(stack, op.deviceId, kind).completed,
      final: elementAt(finals, i),
      history: elementAt(histories, i),
    }));
    const proxy = stack.proxy
      ? {
        dropped: [...stack.proxy.stats.droppedByDevice.values()].reduce((a, b) => a + b, 0),
        methodRequests: [...stack.proxy.stats.methodRequestsByDevice.values()].reduce((a, b) => a + b, 0),
        upstreamErrors: stack.proxy.stats.upstreamErrors,
      }
      : null;
    mark('history');
    const result: ScenarioResult = {
      options, operations, notAccepted, crash, proxy, wallMs: Date.now() - started, phases, hostLogTail: stack.host.logTail(40), logFile: stack.logFile,
    };
    recordFigures(result);
    return result;
  } finally {
    await stack.stop();
  }
}

// ---------------------------------------------------------------- figures

export interface Figures {
  scenario: string;
  operation: OperationKind;
  operations: number;
  notAccepted: number;
  /** Devices by how many times they received the method: "0", "1", "2", "3+". */
  deliveries: Record<string, number>;
  /** Final outcomes; "(not terminal)" for operations still running at the deadline. */
  outcomes: Record<string, number>;
  /** "deliveries → outcome" pairs. */
  deliveriesByOutcome: Record<string, number>;
  /** Operations by how many history rows carry their instance id: "0", "1", "2+". */
  historyRows: Record<string, number>;
  crash: CrashRecord | null;
  proxy: ScenarioResult['proxy'];
  wallMs: number;
  phases: Record<string, number>;
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export function outcomeLabel(op: OperationResult): string {
  if (op.final.httpStatus !== 200) return `(not terminal: HTTP ${op.final.httpStatus})`;
  return op.final.outcome ?? '(200 without outcome)';
}

export function historyRowsFor(op: OperationResult): HistoryRow[] {
  return Array.isArray(op.history) ? op.history.filter((row) => row.instanceId === op.instanceId) : [];
}

export function figuresOf(result: ScenarioResult): Figures {
  const deliveries: Record<string, number> = { '0': 0, '1': 0, '2': 0, '3+': 0 };
  const outcomes: Record<string, number> = {};
  const deliveriesByOutcome: Record<string, number> = {};
  const historyRows: Record<string, number> = { '0': 0, '1': 0, '2+': 0 };
  for (const op of result.operations) {
    const d = op.deliveries >= 3 ? '3+' : String(op.deliveries);
    bump(deliveries, d);
    const outcome = outcomeLabel(op);
    bump(outcomes, outcome);
    bump(deliveriesByOutcome, `${op.deliveries} → ${outcome}`);
    const rows = historyRowsFor(op).length;
    bump(historyRows, rows >= 2 ? '2+' : String(rows));
  }
  return {
    scenario: result.options.mode,
    operation: result.options.operation,
    operations: result.operations.length,
    notAccepted: result.notAccepted.length,
    deliveries,
    outcomes,
    deliveriesByOutcome,
    historyRows,
    crash: result.crash,
    proxy: result.proxy,
    wallMs: result.wallMs,
    phases: result.phases,
  };
}

export function formatFigures(figures: Figures): string {
  return JSON.stringify(figures);
}

/** Appends the figures as one JSON line to CRASH_FIGURES_FILE, when set (for "before/after" tables). */
function recordFigures(result: ScenarioResult): void {
  const file = process.env.CRASH_FIGURES_FILE;
  if (!file) return;
  fs.appendFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), ...figuresOf(result) })}\n`);
}

export { DEFINITE_OUTCOMES, isUncertainOutcome };
