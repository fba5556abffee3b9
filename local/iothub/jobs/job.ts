// A scheduled job and its JSON face (JobResponse in the swagger bundled with azure-iothub: jobId, queryCondition,
// createdTime, startTime, endTime, maxExecutionTimeInSeconds, type, cloudToDeviceMethod, updateTwin, status,
// failureReason, statusMessage, deviceJobStatistics {deviceCount, failedCount, succeededCount, runningCount,
// pendingCount}). Status moves queued → running → completed, or to cancelled; the PUT answer says `queued` even for
// a job that starts later (SDK e2e job_client.js expects exactly that).
import type { JsonObject } from '../twin/json';
import type { DeviceJob } from './deviceJob';
import type { JobDefinition } from './jobDefinition';

export type JobStatus = 'queued' | 'running' | 'completed' | 'cancelled';

export class Job {
  status: JobStatus = 'queued';
  endTime: string | undefined;
  statusMessage: string | undefined;
  /** Filled when the job starts: one record per device its condition matched then. */
  readonly devices: DeviceJob[] = [];

  constructor(
    readonly definition: JobDefinition,
    readonly createdTime: string,
  ) {}

  get jobId(): string {
    return this.definition.jobId;
  }

  get active(): boolean {
    return this.status === 'queued' || this.status === 'running';
  }

  statistics(): JsonObject {
    const count = (status: DeviceJob['status']) => this.devices.filter((device) => device.status === status).length;
    return {
      deviceCount: this.devices.length,
      failedCount: count('failed'),
      succeededCount: count('completed'),
      runningCount: count('running'),
      pendingCount: count('pending'),
    };
  }

  toJSON(): JsonObject {
    const { definition } = this;
    const json: JsonObject = {
      jobId: this.jobId,
      type: definition.type,
      status: this.status,
      queryCondition: definition.queryCondition,
      createdTime: this.createdTime,
      startTime: new Date(definition.startTimeMs).toISOString(),
      maxExecutionTimeInSeconds: definition.maxExecutionTimeInSeconds,
      deviceJobStatistics: this.statistics(),
    };
    if (definition.cloudToDeviceMethod) json.cloudToDeviceMethod = definition.cloudToDeviceMethod;
    if (definition.updateTwin) json.updateTwin = definition.updateTwin;
    if (this.endTime !== undefined) json.endTime = this.endTime;
    if (this.statusMessage !== undefined) json.statusMessage = this.statusMessage;
    return json;
  }
}
