// The properties issue 8 asks of every accepted operation, whatever crashed: each one a subtest of the scenario's
// test, so that a run reports every property that broke (not only the first) with the devices concerned.
import * as assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { isUncertainOutcome } from './appClient';
import { figuresOf, formatFigures, historyRowsFor, outcomeLabel, type OperationResult, type ScenarioResult } from './scenario';

const SHOW = 12;

/** What the status body says beyond the outcome: enough to tell a crash artefact from a slow machine. */
function statusDetails(op: OperationResult): string {
  const body = op.final.body;
  if (!body) return '';
  const method = body.methodResponse as { status?: unknown } | null | undefined;
  const reported = body.lastReported as Record<string, { status?: unknown } | undefined> | null | undefined;
  const error = body.error as { code?: unknown } | null | undefined;
  const reportedStatus = reported?.[op.kind]?.status;
  return ` [method ${method?.status ?? '-'}, polls ${String(body.polls ?? '-')}, reported ${String(reportedStatus ?? '-')}`
    + `${error?.code ? `, error ${String(error.code)}` : ''}, ${String(body.durationMs ?? '?')} ms]`;
}

function describeOps(ops: readonly OperationResult[], extra: (op: OperationResult) => string = () => ''): string {
  const shown = ops.slice(0, SHOW).map((op) => `${op.deviceId}: deliveries=${op.deliveries} completions=${op.completions} outcome=${outcomeLabel(op)}${statusDetails(op)}${extra(op)}`);
  return `${ops.length} operation(s):\n  ${shown.join('\n  ')}${ops.length > SHOW ? `\n  … and ${ops.length - SHOW} more` : ''}`;
}

/** Runs the invariant subtests on a finished scenario. The scenario's own test fails if any of them fails. */
export async function checkInvariants(t: TestContext, result: ScenarioResult): Promise<void> {
  const figures = figuresOf(result);
  t.diagnostic(`figures ${formatFigures(figures)}`);
  if (result.logFile) t.diagnostic(`host log: ${result.logFile}`);
  const kind = result.options.operation;

  if (result.crash) {
    const crash = result.crash;
    await t.test('precondition: the crash hit method calls in flight (some devices had the method, not all; some had not answered)', () => {
      assert.ok(crash.reachedAtCrash >= 1 && crash.reachedAtCrash < result.options.deviceCount,
        `${crash.reachedAtCrash} of ${result.options.deviceCount} devices had received '${kind}' at the crash`);
      assert.ok(crash.unansweredAtCrash >= 1, 'no device was still holding an unanswered method call at the crash');
    });
  }
  const proxy = result.proxy;
  if (proxy && result.options.mode === 'dropAnswer') {
    await t.test('precondition: the proxy dropped hub answers after delivery, and added no failure of its own', () => {
      assert.ok(proxy.dropped >= result.operations.length, `${proxy.dropped} answers dropped for ${result.operations.length} operations`);
      assert.equal(proxy.upstreamErrors, 0);
    });
  } else if (proxy) {
    await t.test('precondition: the disarmed proxy forwarded every method call and dropped nothing', () => {
      assert.equal(proxy.dropped, 0);
      assert.equal(proxy.upstreamErrors, 0);
      assert.ok(proxy.methodRequests >= result.operations.length, `${proxy.methodRequests} method calls for ${result.operations.length} operations`);
    });
  }

  await t.test('every start was accepted (202)', () => {
    assert.deepEqual(result.notAccepted, []);
  });

  await t.test('every operation reaches a terminal status (status URL answers 200 with an outcome)', () => {
    const open = result.operations.filter((op) => op.final.httpStatus !== 200 || op.final.outcome === null);
    assert.equal(open.length, 0, `not terminal: ${describeOps(open, (op) => ` runtimeStatus=${String(op.final.body?.runtimeStatus)}`)}`);
  });

  await t.test(`each device received '${kind}' at most once, and exactly once unless the outcome says delivery is unconfirmed`, () => {
    // A kill between journaling an attempt and writing it to the hub's socket leaves the device without the method;
    // the app cannot tell that from a lost answer, so it says DeliveryUnconfirmed rather than risk a second action.
    const wrong = result.operations.filter((op) => op.deliveries > 1 || (op.deliveries === 0 && op.final.outcome !== 'DeliveryUnconfirmed'));
    assert.equal(wrong.length, 0, `deliveries (distribution ${JSON.stringify(figures.deliveries)}): ${describeOps(wrong)}`);
  });

  await t.test('outcomes are correct or explicitly uncertain (never a false Succeeded, never a definite failure for a device that completed)', () => {
    const wrong = result.operations.filter((op) => {
      if (op.final.httpStatus !== 200 || op.final.outcome === null) return false; // counted by the terminal-status subtest
      const outcome = op.final.outcome;
      if (outcome === 'Succeeded') return op.completions === 0 || op.deliveries === 0;
      if (op.completions >= 1) return !isUncertainOutcome(outcome);
      return false;
    });
    assert.equal(wrong.length, 0, `wrong outcomes (${JSON.stringify(figures.deliveriesByOutcome)}): ${describeOps(wrong)}`);
  });

  await t.test('exactly one history row per operation, carrying its final outcome', () => {
    const wrong = result.operations.filter((op) => {
      if (!Array.isArray(op.history)) return true;
      const [row, ...more] = historyRowsFor(op);
      return op.history.length !== 1 || row === undefined || more.length > 0 || row.outcome === null || row.outcome !== op.final.outcome;
    });
    assert.equal(wrong.length, 0, `history rows (${JSON.stringify(figures.historyRows)}): ${describeOps(wrong, (op) => Array.isArray(op.history)
      ? ` rows=${JSON.stringify(op.history.map((r) => ({ instanceId: r.instanceId, outcome: r.outcome, phase: r.phase })))}`
      : ` history error: ${op.history.error}`)}`);
  });
}
