// Jobs v2 (REST reference "Jobs": Create Scheduled Job, Get Scheduled Job, Cancel Scheduled Job, Query Scheduled
// Jobs) at the paths the SDK's JobClient calls: PUT/GET /jobs/v2/{id}, POST /jobs/v2/{id}/cancel,
// GET /jobs/v2/query?jobType=&jobStatus= (paged with x-ms-max-item-count / x-ms-continuation, item type
// jobResponse). Each call counts against the "jobs operations" throttle.
import { hubErrors } from '../errors';
import type { IotHub } from '../hub';
import type { JobStatus } from '../jobs/job';
import type { JobType } from '../jobs/jobDefinition';
import { paginate, QueryError } from '../query/index';
import { header, idParam, type RestRequest, type RestResult } from './restTypes';

const JOB_TYPES: readonly JobType[] = ['scheduleDeviceMethod', 'scheduleUpdateTwin'];
const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'completed', 'cancelled'];

function jobsOperation(hub: IotHub): void {
  hub.admit('jobsOperations');
}

export function createJob(hub: IotHub, request: RestRequest): RestResult {
  jobsOperation(hub);
  return { status: 200, body: hub.jobs.schedule(idParam(request), request.body).toJSON() };
}

export function getJob(hub: IotHub, request: RestRequest): RestResult {
  jobsOperation(hub);
  return { status: 200, body: hub.jobs.get(idParam(request)).toJSON() };
}

export function cancelJob(hub: IotHub, request: RestRequest): RestResult {
  jobsOperation(hub);
  return { status: 200, body: hub.jobs.cancel(idParam(request)).toJSON() };
}

function filterValue<T extends string>(request: RestRequest, name: string, allowed: readonly T[]): T | undefined {
  const value = request.query.get(name);
  if (value === null || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw hubErrors.argumentInvalid(`${name} must be one of ${allowed.join(', ')}.`);
  return value as T;
}

export function queryJobs(hub: IotHub, request: RestRequest): RestResult {
  jobsOperation(hub);
  const jobs = hub.jobs.list({ type: filterValue(request, 'jobType', JOB_TYPES), status: filterValue(request, 'jobStatus', JOB_STATUSES) });
  const rawSize = header(request, 'x-ms-max-item-count');
  const pageSize = rawSize === undefined || rawSize.trim() === '' ? undefined : Number(rawSize);
  try {
    const page = paginate(jobs.map((job) => job.toJSON()), pageSize, header(request, 'x-ms-continuation'));
    const headers: Record<string, string> = { 'x-ms-item-type': 'jobResponse' };
    if (page.continuationToken !== undefined) headers['x-ms-continuation'] = page.continuationToken;
    return { status: 200, body: page.items, headers };
  } catch (error) {
    if (error instanceof QueryError) throw hubErrors.argumentInvalid(error.message);
    throw error;
  }
}
