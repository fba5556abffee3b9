// One device's part in a job: the record IoT Hub exposes through `SELECT * FROM devices.jobs` (query-jobs docs:
// deviceId, jobId, jobType, status, startTimeUtc, endTimeUtc, createdDateTimeUtc, lastUpdatedDateTimeUtc, outcome
// {deviceMethodResponse}; a failure carries error {code, description} as the C# SDK's DeviceJob does).
import type { JsonObject } from '../twin/json';
import type { JobType } from './jobDefinition';

export type DeviceJobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export class DeviceJob {
  status: DeviceJobStatus = 'pending';
  startTime: string | undefined;
  endTime: string | undefined;
  lastUpdated: string;
  methodResponse: { status: number; payload: unknown } | null = null;
  error: { code: string; description: string } | undefined;

  constructor(
    readonly deviceId: string,
    readonly jobId: string,
    readonly jobType: JobType,
    readonly createdTime: string,
  ) {
    this.lastUpdated = createdTime;
  }

  start(now: string): void {
    this.status = 'running';
    this.startTime = now;
    this.lastUpdated = now;
  }

  finish(now: string, outcome: { methodResponse?: { status: number; payload: unknown } } | { error: { code: string; description: string } }): void {
    if ('error' in outcome) {
      this.status = 'failed';
      this.error = outcome.error;
    } else {
      this.status = 'completed';
      this.methodResponse = outcome.methodResponse ?? null;
    }
    this.endTime = now;
    this.lastUpdated = now;
  }

  /** A device that was never reached: the job was cancelled, or ran out of time (then it failed). */
  abandon(now: string, as: 'cancelled' | 'failed', description: string): void {
    this.status = as;
    if (as === 'failed') this.error = { code: 'JobRunPreconditionFailed', description };
    this.lastUpdated = now;
  }

  toJSON(): JsonObject {
    const json: JsonObject = {
      deviceId: this.deviceId,
      jobId: this.jobId,
      jobType: this.jobType,
      status: this.status,
      createdDateTimeUtc: this.createdTime,
      lastUpdatedDateTimeUtc: this.lastUpdated,
      outcome: { deviceMethodResponse: this.methodResponse === null ? null : { ...this.methodResponse } as JsonObject },
    };
    if (this.startTime !== undefined) json.startTimeUtc = this.startTime;
    if (this.endTime !== undefined) json.endTimeUtc = this.endTime;
    if (this.error !== undefined) json.error = { ...this.error };
    return json;
  }
}
