// A small client of the app's HTTP API for end-to-end tests: every call goes over HTTP to the local host, with
// the function key as a caller holds it. Nothing here reaches into the app.
import * as assert from 'node:assert/strict';
import { followAsyncOperation, type PollObservation } from '../../../local/cli/asyncPoller';
import type { LocalStack } from '../../../local/stack';
import type { OperationOutput } from '../../../src/domain/outcomes';

export type Kind = 'reboot' | 'factoryReset' | 'firmwareUpdate';

/** The status route's final body: the orchestration's output plus the instance's own fields. */
export type OperationResult = OperationOutput & { instanceId: string };

export interface Accepted {
  instanceId: string;
  deviceId: string;
  operation: Kind;
  statusUrl: string;
  cancelUrl: string;
}

export class OperationsApi {
  constructor(private readonly stack: LocalStack) {}

  url(path: string, key: string | null = this.stack.functionKey): string {
    const separator = path.includes('?') ? '&' : '?';
    return `${this.stack.baseUrl}/api/${path}${key === null ? '' : `${separator}code=${encodeURIComponent(key)}`}`;
  }

  start(kind: Kind, deviceId: string, body: Record<string, unknown> = {}): Promise<Response> {
    return fetch(this.url(`devices/${encodeURIComponent(deviceId)}/${kind}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pollIntervalSeconds: 1, timeoutSeconds: 60, ...body }),
    });
  }

  /** Starts and expects 202. */
  async accepted(kind: Kind, deviceId: string, body: Record<string, unknown> = {}): Promise<{ response: Response; body: Accepted }> {
    const response = await this.start(kind, deviceId, body);
    const text = await response.text();
    assert.equal(response.status, 202, `start ${kind} on ${deviceId}: ${text}`);
    return { response, body: JSON.parse(text) as Accepted };
  }

  /** Follows a status URL as the Logic Apps HTTP action does, until the final 200. */
  async follow(statusUrl: string, onPoll?: (o: PollObservation) => void): Promise<OperationResult> {
    const final = await followAsyncOperation(await fetch(statusUrl), { timeoutMs: 120_000, onPoll });
    assert.equal(final.status, 200, JSON.stringify(final.body));
    return final.body as OperationResult;
  }

  /** Start, then follow to the outcome. */
  async run(kind: Kind, deviceId: string, body: Record<string, unknown> = {}, onPoll?: (o: PollObservation) => void): Promise<OperationResult> {
    const { body: accepted } = await this.accepted(kind, deviceId, body);
    return this.follow(accepted.statusUrl, onPoll);
  }

  async history(deviceId: string): Promise<Array<{ instanceId: string; operation: Kind; outcome: string | null; phase: string; delivery: string }>> {
    const response = await fetch(this.url(`devices/${encodeURIComponent(deviceId)}/operations`));
    assert.equal(response.status, 200);
    return ((await response.json()) as { operations: Array<{ instanceId: string; operation: Kind; outcome: string | null; phase: string; delivery: string }> }).operations;
  }

  async running(): Promise<Array<{ instanceId: string; deviceId: string; operation: Kind }>> {
    const response = await fetch(this.url('operations?state=running'));
    assert.equal(response.status, 200);
    return ((await response.json()) as { operations: Array<{ instanceId: string; deviceId: string; operation: Kind }> }).operations;
  }
}

/** What the twin showed of a device that ended without a verdict (the fields a test compares). */
export function deviceActivityOf(result: OperationResult): unknown {
  const activity = result.deviceActivity;
  return activity && {
    connectionState: activity.connectionState,
    connectionChangedAfterMethod: activity.connectionChangedAfterMethod,
    reportedAfterMethod: activity.reportedAfterMethod,
    lastReportedStep: activity.lastReportedStep,
  };
}

/** deviceActivityOf a device that accepted a reboot, reported `rebooting`, went away and never came back. */
export const NEVER_RETURNED = { connectionState: 'Disconnected', connectionChangedAfterMethod: true, reportedAfterMethod: true, lastReportedStep: 'rebooting' };

/** Resolves when `device` has received `count` direct methods (an event from the simulated device, not a poll). */
export function methodsReceived(device: { methodCount(): number; on(event: 'method', listener: () => void): unknown; off(event: 'method', listener: () => void): unknown }, count: number): Promise<void> {
  return new Promise((resolve) => {
    if (device.methodCount() >= count) return resolve();
    const listener = (): void => {
      if (device.methodCount() < count) return;
      device.off('method', listener);
      resolve();
    };
    device.on('method', listener);
  });
}
