// Runs IoT Hub jobs: a job waits (queued) until its startTime, then takes the devices its queryCondition matches at
// that moment, and works through them at the hub's "jobs device operations" throttle (quota/throttles.ts: 10/s on
// S1), never faster; an operation over the throttle waits for it rather than failing. The job completes when every
// device has been handled; devices not reached within maxExecutionTimeInSeconds (counted from startTime) fail.
// Cancelling stops the devices not yet reached; calls already made run to their end [inference: the docs describe
// cancel without saying what happens to in-flight device operations]. The hub runs at most 1/5/10 jobs at once on
// S1/S2/S3 (iot-hub-devguide-quotas-throttling.md, "Other limits"); more gives 429004.
import type { ClockTimer, StackClock } from '../../clock';
import type { MethodAnswer } from '../connections/deviceConnection';
import type { Counters } from '../counters';
import { IotHubError, hubErrors } from '../errors';
import type { MethodRequest } from '../methods/methodRequest';
import type { QuotaGate } from '../quota/quotaGate';
import { maxConcurrentJobs } from '../quota/throttles';
import type { JsonObject } from '../twin/json';
import { DeviceJob } from './deviceJob';
import { Job, type JobStatus } from './job';
import { type JobType, parseJobDefinition } from './jobDefinition';

/** What a job does to the hub's devices; the hub supplies it (hub.ts). */
export interface JobTargets {
  /** Every device twin, sorted by device id, as the query engine sees them. */
  twins(): Iterable<JsonObject>;
  invokeMethod(deviceId: string, request: MethodRequest): Promise<MethodAnswer>;
  updateTwin(deviceId: string, patch: { tags?: unknown; desired?: unknown }): void;
}

/** setTimeout's longest delay; later start times are reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class JobScheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly timers = new Set<ClockTimer>();

  constructor(
    private readonly targets: JobTargets,
    private readonly quota: () => QuotaGate,
    private readonly counters: Counters,
    private readonly clock: StackClock,
  ) {}

  private now(): number {
    return this.clock.now();
  }

  /** PUT /jobs/v2/{jobId}. */
  schedule(jobId: string, body: unknown): Job {
    const definition = parseJobDefinition(jobId, body, this.now());
    if (this.jobs.has(jobId)) throw hubErrors.jobAlreadyExists(jobId);
    const limit = maxConcurrentJobs(this.quota().tier);
    if ([...this.jobs.values()].filter((job) => job.active).length >= limit) throw hubErrors.tooManyActiveJobs(limit);
    const job = new Job(definition, this.iso());
    this.jobs.set(jobId, job);
    this.counters.increment('jobsCreated');
    // Even a job due now starts after the answer, which therefore always says `queued`.
    this.after(Math.max(0, definition.startTimeMs - this.now()), () => this.start(job));
    return job;
  }

  get(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw hubErrors.jobNotFound(jobId);
    return job;
  }

  /** POST /jobs/v2/{jobId}/cancel: a finished job is answered as it is. */
  cancel(jobId: string): Job {
    const job = this.get(jobId);
    if (!job.active) return job;
    const now = this.iso();
    job.status = 'cancelled';
    job.endTime = now;
    for (const device of job.devices) if (device.status === 'pending') device.abandon(now, 'cancelled', 'The job was cancelled.');
    return job;
  }

  /** GET /jobs/v2/query, oldest first. */
  list(filter: { type?: JobType; status?: JobStatus }): Job[] {
    return [...this.jobs.values()].filter((job) =>
      (filter.type === undefined || job.definition.type === filter.type) && (filter.status === undefined || job.status === filter.status));
  }

  /** The `devices.jobs` collection: every device's job records, by device id then job creation. */
  deviceJobs(): JsonObject[] {
    const records = [...this.jobs.values()].flatMap((job) => job.devices);
    records.sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
    return records.map((record) => record.toJSON());
  }

  /** Admin reset and stop: forgets every job and its timers. */
  clear(): void {
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    for (const job of this.jobs.values()) if (job.active) job.status = 'cancelled';
    this.jobs.clear();
  }

  private start(job: Job): void {
    if (job.status !== 'queued') return;
    if (job.definition.startTimeMs > this.now()) {
      this.after(job.definition.startTimeMs - this.now(), () => this.start(job));
      return;
    }
    job.status = 'running';
    const created = this.iso();
    for (const twin of job.definition.query.run(this.targets.twins()) as JsonObject[]) {
      job.devices.push(new DeviceJob(String(twin.deviceId), job.jobId, job.definition.type, created));
    }
    this.pump(job, 0);
  }

  /** Starts device operations from `index` on, as fast as the jobs throttle allows. */
  private pump(job: Job, index: number): void {
    const deadline = job.definition.startTimeMs + job.definition.maxExecutionTimeInSeconds * 1000;
    for (let device = job.devices[index]; device !== undefined && job.status === 'running'; device = job.devices[index]) {
      const now = this.now();
      if (now >= deadline) {
        const at = this.iso();
        for (const device of job.devices.slice(index)) {
          device.abandon(at, 'failed', 'The job reached its maxExecutionTimeInSeconds before this device was processed.');
        }
        break;
      }
      const wait = this.quota().delayFor('jobsDeviceOperations');
      if (wait > 0) {
        const next = index;
        this.after(Math.min(wait, deadline - now), () => this.pump(job, next));
        return;
      }
      this.run(job, device);
      index += 1;
    }
    this.completeIfDone(job);
  }

  private run(job: Job, device: DeviceJob): void {
    device.start(this.iso());
    this.counters.increment('jobDeviceOperations');
    const failed = (error: unknown) => {
      const code = error instanceof IotHubError ? error.codeName : 'ServerError';
      const description = error instanceof Error ? error.message : String(error);
      device.finish(this.iso(), { error: { code, description } });
      this.completeIfDone(job);
    };
    const { method, twinPatch } = job.definition;
    if (method) {
      this.targets.invokeMethod(device.deviceId, method).then((answer) => {
        device.finish(this.iso(), { methodResponse: { status: answer.status, payload: answer.payload } });
        this.completeIfDone(job);
      }, failed);
      return;
    }
    try {
      this.targets.updateTwin(device.deviceId, twinPatch ?? {});
      device.finish(this.iso(), {});
    } catch (error) {
      failed(error);
    }
  }

  private completeIfDone(job: Job): void {
    if (job.status !== 'running') return;
    if (job.devices.some((device) => device.status === 'pending' || device.status === 'running')) return;
    job.status = 'completed';
    job.endTime = this.iso();
  }

  private after(ms: number, action: () => void): void {
    const timer = this.clock.setTimer(() => {
      this.timers.delete(timer);
      if (ms > MAX_TIMER_MS) this.after(ms - MAX_TIMER_MS, action);
      else action();
    }, Math.min(ms, MAX_TIMER_MS));
    this.timers.add(timer);
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}
