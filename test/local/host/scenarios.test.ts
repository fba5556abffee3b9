// Replay scenarios durable-functions is specified by (its testhistories / orchestrator-spec), run for
// real on the local host: the host must write the same event ids the JS library gives its tasks.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LocalHost } from '../../../local/host/index';
import { getStatus, idTrail, raiseEvent, startInstance, startScenarioHost, waitForStatus, webhook } from './helpers';

describe('local host: orchestration scenarios', () => {
  let host: LocalHost;
  before(async () => {
    host = await startScenarioHost();
  });
  after(async () => {
    await host.stop();
  });

  it('runs a sequence of activities with ids 0, 1, 2', async () => {
    const id = await startInstance(host, 'Sequence');
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Completed');
    assert.deepEqual(status.output, ['Hello Tokyo', 'Hello Seattle', 'Hello London']);
    const history = await host.history(id);
    assert.deepEqual(idTrail(history), ['TaskScheduled:0', 'TaskCompleted:0', 'TaskScheduled:1', 'TaskCompleted:1', 'TaskScheduled:2', 'TaskCompleted:2']);
    // Every episode opens with OrchestratorStarted and timestamps never go back.
    const starts = history.filter((e) => e.EventType === 12).map((e) => Date.parse(e.Timestamp));
    assert.equal(starts.length, 4);
    assert.ok(starts.every((t, i) => i === 0 || t > (starts[i - 1] ?? Infinity)));
    assert.equal(history[1]?.EventType, 0);
    assert.equal(history.at(-1)?.EventType, 13);
  });

  it('fans out and in with Task.all, numbering the children depth-first', async () => {
    const id = await startInstance(host, 'FanOut', 5);
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Completed');
    assert.equal(status.output, 0 + 1 + 2 + 3 + 4);
    const scheduled = (await host.history(id)).filter((e) => e.EventType === 4);
    assert.deepEqual(scheduled.map((e) => e.EventId), [0, 1, 2, 3, 4]);
    assert.deepEqual(scheduled.map((e) => e.Input), ['[0]', '[1]', '[2]', '[3]', '[4]']);
  });

  it('races an activity against a timer (Task.any): the activity wins and the timer is cancelled', async () => {
    const id = await startInstance(host, 'RaceActivityTimer', { ms: 10, timeoutMs: 60 * 60 * 1000 });
    const status = await waitForStatus(host, id);
    assert.deepEqual(status.output, { winner: 'activity', value: 'slept 10' });
    assert.deepEqual(idTrail(await host.history(id)), ['TaskScheduled:0', 'TimerCreated:1', 'TaskCompleted:0']);
  });

  it('races an activity against a timer (Task.any): the timer wins', async () => {
    const id = await startInstance(host, 'RaceActivityTimer', { ms: 1500, timeoutMs: 30 });
    const status = await waitForStatus(host, id);
    assert.deepEqual(status.output, { winner: 'timer' });
    const history = await host.history(id);
    assert.deepEqual(idTrail(history).slice(0, 3), ['TaskScheduled:0', 'TimerCreated:1', 'TimerFired:1']);
    const created = history.find((e) => e.EventType === 10) as Record<string, unknown>;
    const firedEpisode = history.findIndex((e) => e.EventType === 11);
    const episodeStart = history.slice(0, firedEpisode).filter((e) => e.EventType === 12).pop() as Record<string, unknown>;
    assert.ok(Date.parse(String(episodeStart.Timestamp)) >= Date.parse(String(created.FireAt)), 'TimerFired is delivered no earlier than FireAt');
  });

  it('retries an activity that fails once: a timer follows the failure, the retry takes the next id', async () => {
    const id = await startInstance(host, 'RetrySucceeds');
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Completed');
    assert.equal(status.output, 'ok after 2');
    const history = await host.history(id);
    assert.deepEqual(idTrail(history), ['TaskScheduled:0', 'TaskFailed:0', 'TimerCreated:1', 'TimerFired:1', 'TaskScheduled:2', 'TaskCompleted:2']);
    const failed = history.find((e) => e.EventType === 6) as Record<string, unknown>;
    assert.equal(failed.Reason, "Activity function 'Flaky' failed: flaky attempt 1");
    const timer = history.find((e) => e.EventType === 10) as Record<string, unknown>;
    assert.ok(Date.parse(String(timer.FireAt)) - Date.parse(String(timer.Timestamp)) >= 50, 'first retry interval honoured');
  });

  it('fails the instance when retries are exhausted, with a timer after every failed attempt', async () => {
    const id = await startInstance(host, 'RetryExhausted');
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Failed');
    assert.match(String(status.output), /^Orchestrator function 'RetryExhausted' failed: Activity function 'AlwaysFails' failed: always fails/);
    assert.deepEqual(idTrail(await host.history(id)), ['TaskScheduled:0', 'TaskFailed:0', 'TimerCreated:1', 'TimerFired:1', 'TaskScheduled:2', 'TaskFailed:2', 'TimerCreated:3', 'TimerFired:3']);
    const completed = (await host.history(id)).find((e) => e.EventType === 1) as Record<string, unknown>;
    assert.equal(completed.OrchestrationStatus, 3);
  });

  it('lets the orchestrator catch exhausted retries', async () => {
    const id = await startInstance(host, 'RetryExhaustedCaught');
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Completed');
    assert.equal(status.output, "caught: Activity function 'AlwaysFails' failed: always fails ");
  });

  it('retries a failing sub-orchestration and runs a named one', async () => {
    const id = await startInstance(host, 'SubOrchestrationWithRetry');
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.deepEqual(status.output, { child: 'ok after 2', plain: ['Hello Tokyo', 'Hello Seattle', 'Hello London'] });
    const history = await host.history(id);
    assert.deepEqual(idTrail(history), [
      'SubOrchestrationInstanceCreated:0',
      'SubOrchestrationInstanceFailed:0',
      'TimerCreated:1',
      'TimerFired:1',
      'SubOrchestrationInstanceCreated:2',
      'SubOrchestrationInstanceCompleted:2',
      'SubOrchestrationInstanceCreated:3',
      'SubOrchestrationInstanceCompleted:3',
    ]);
    const created = history.filter((e) => e.EventType === 7);
    const executionId = (history[1]?.OrchestrationInstance as { ExecutionId: string }).ExecutionId;
    assert.deepEqual(created.map((e) => e.InstanceId), [`${executionId}:0`, `${executionId}:2`, `${id}-seq`]);
    const failedChild = await getStatus(host, `${executionId}:0`);
    assert.equal(failedChild.body.runtimeStatus, 'Failed');
    const child = await host.history(`${id}-seq`);
    assert.deepEqual((child[1]?.ParentInstance as { OrchestrationInstance: { InstanceId: string } }).OrchestrationInstance.InstanceId, id);
  });

  it('delivers external events raised before and after the waiter exists', async () => {
    const id = await startInstance(host, 'TwoEvents');
    await waitForStatus(host, id, (s) => s.runtimeStatus === 'Running');
    assert.equal(await raiseEvent(host, id, 'Second', { n: 2 }), 202); // nobody waits for it yet
    await host.whenIdle();
    assert.equal(await raiseEvent(host, id, 'First', 'one'), 202);
    const status = await waitForStatus(host, id);
    assert.deepEqual(status.output, ['one', { n: 2 }]);
    assert.deepEqual(idTrail(await host.history(id)), ['EventRaised:Second', 'EventRaised:First']);
  });

  it('keeps custom status while waiting and after completion', async () => {
    const id = await startInstance(host, 'CustomStatus');
    const waiting = await waitForStatus(host, id, (s) => s.runtimeStatus === 'Running');
    assert.deepEqual(waiting.customStatus, { phase: 'waiting' });
    await raiseEvent(host, id, 'Go', 7);
    const done = await waitForStatus(host, id);
    assert.equal(done.output, 7);
    assert.deepEqual(done.customStatus, { phase: 'done', value: 7 });
  });

  it('continues as new with a fresh history per execution', async () => {
    const id = await startInstance(host, 'Counter', 0);
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Completed');
    assert.equal(status.output, 3);
    assert.equal(status.input, 3);
    const history = await host.history(id);
    assert.equal(history.filter((e) => e.EventType === 0).length, 1);
    assert.equal(history[1]?.Input, '3');
    assert.deepEqual(idTrail(history), ['TaskScheduled:0', 'TaskCompleted:0']);
  });

  it('terminates a waiting instance with the reason as output', async () => {
    const id = await startInstance(host, 'Waiter');
    await waitForStatus(host, id, (s) => s.runtimeStatus === 'Running');
    const res = await fetch(webhook(host, `instances/${id}/terminate?reason=${encodeURIComponent('no longer needed')}`), { method: 'POST' });
    assert.equal(res.status, 202);
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Terminated');
    assert.equal(status.output, 'no longer needed');
    const history = await host.history(id);
    assert.ok(history.some((e) => e.EventType === 3 && e.Input === 'no longer needed'));
  });

  it('fails the instance when the orchestrator throws', async () => {
    const id = await startInstance(host, 'Thrower');
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Failed');
    assert.equal(status.output, "Orchestrator function 'Thrower' failed: orchestrator boom");
    const { status: code } = await getStatus(host, id);
    assert.equal(code, 200, 'Failed is 200 by default');
    const { status: strict } = await getStatus(host, id, 'returnInternalServerErrorOnFailure=true');
    assert.equal(strict, 500);
  });

  it('keeps the first id of a task re-yielded inside a second Task.any', async () => {
    const id = await startInstance(host, 'ReusedTask');
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.deepEqual(status.output, { first: 'timer', second: 'slept 600' });
    assert.deepEqual(idTrail(await host.history(id)), ['TaskScheduled:0', 'TimerCreated:1', 'TimerFired:1', 'TaskCompleted:0']);
  });

  it('fails loudly when a replay emits different actions', async () => {
    const id = await startInstance(host, 'Nondeterministic');
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Failed');
    assert.match(String(status.output), /Non-deterministic orchestrator detected in 'Nondeterministic' at action 0: expected CallActivity 'Hello' but the replay emitted CallActivity 'Echo'/);
  });

  it('encodes activity inputs and results like the extension', async () => {
    const id = await startInstance(host, 'Encodings', { in: ['put'] });
    const status = await waitForStatus(host, id);
    assert.deepEqual(status.output, {
      raw: '{"a":1}',
      str: 'plain "quoted" string',
      num: 42,
      obj: { nested: [1, 'two', null] },
      none: null,
      who: id,
      input: { in: ['put'] },
    });
    const completed = (await host.history(id)).filter((e) => e.EventType === 5).map((e) => e.Result);
    assert.equal(completed[0], '"{\\"a\\":1}"', 'a string result is JSON-encoded, never parsed');
  });

  it('restarts a crashed language worker and runs the interrupted activity again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lochost-crash-'));
    try {
      const id = await startInstance(host, 'SurvivesWorkerCrash', { marker: path.join(dir, 'marker') });
      const status = await waitForStatus(host, id);
      assert.equal(status.runtimeStatus, 'Completed');
      assert.equal(status.output, 'survived');
      assert.ok(fs.existsSync(path.join(dir, 'marker')), 'the first attempt really crashed the worker');
      assert.deepEqual(idTrail(await host.history(id)), ['TaskScheduled:0', 'TaskCompleted:0']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes FailureDetails from an exception properties provider to the orchestrator', async () => {
    const id = await startInstance(host, 'CatchesFailureDetails');
    const status = await waitForStatus(host, id);
    assert.deepEqual(status.output, { name: 'TaskFailedError', message: 'TypeError: coded failure', properties: { code: 'E42' } });
    const failed = (await host.history(id)).find((e) => e.EventType === 6) as Record<string, unknown>;
    assert.equal(failed.Reason, "Activity function 'CodedFailure' failed: coded failure");
    assert.deepEqual((failed.FailureDetails as Record<string, unknown>).Properties, { code: 'E42' });
  });
});
