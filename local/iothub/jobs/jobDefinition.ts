// The body of PUT /jobs/v2/{jobId} as the service SDK's JobClient sends it (azure-iothub job_client.js
// scheduleDeviceMethod / scheduleTwinUpdate): {jobId, type, cloudToDeviceMethod | updateTwin, queryCondition,
// startTime, maxExecutionTimeInSeconds}. jobId: "64 characters or less … US-ASCII letters, numbers, and the dash"
// (iot-hub-devguide-jobs.md). queryCondition is the WHERE clause of a twin query over `devices`.
import { hubErrors } from '../errors';
import { type MethodRequest, parseMethodRequest } from '../methods/methodRequest';
import { compileQuery, QueryError } from '../query/index';
import type { CompiledQuery } from '../query/index';
import { type JsonObject, isJsonObject } from '../twin/json';

export type JobType = 'scheduleDeviceMethod' | 'scheduleUpdateTwin';

const JOB_ID = /^[A-Za-z0-9-]{1,64}$/;

export interface JobDefinition {
  jobId: string;
  type: JobType;
  queryCondition: string;
  /** The condition compiled as `SELECT * FROM devices WHERE <queryCondition>`. */
  query: CompiledQuery;
  startTimeMs: number;
  maxExecutionTimeInSeconds: number;
  method?: MethodRequest;
  /** The request's cloudToDeviceMethod as given back on the job. */
  cloudToDeviceMethod?: JsonObject;
  /** The tags and desired properties each device's twin is patched with. */
  twinPatch?: { tags?: unknown; desired?: unknown };
  updateTwin?: JsonObject;
}

export function assertValidJobId(jobId: string): void {
  if (!JOB_ID.test(jobId)) {
    throw hubErrors.argumentInvalid(`Job id ${JSON.stringify(jobId)} is invalid: use 1 to 64 ASCII letters, digits or dashes.`);
  }
}

export function parseJobDefinition(jobId: string, body: unknown, nowMs: number): JobDefinition {
  assertValidJobId(jobId);
  if (!isJsonObject(body)) throw hubErrors.argumentInvalid('The request body must be a job JSON object.');
  if (body.jobId !== undefined && body.jobId !== jobId) throw hubErrors.argumentInvalid('jobId in the body does not match the job id in the path.');
  const type = body.type;
  if (type !== 'scheduleDeviceMethod' && type !== 'scheduleUpdateTwin') {
    throw hubErrors.argumentInvalid('type must be scheduleDeviceMethod or scheduleUpdateTwin (import and export jobs are not emulated).');
  }
  if (typeof body.queryCondition !== 'string' || body.queryCondition.trim() === '') throw hubErrors.argumentInvalid('queryCondition is required.');
  let query: CompiledQuery;
  try {
    query = compileQuery(`SELECT * FROM devices WHERE ${body.queryCondition}`);
  } catch (error) {
    if (error instanceof QueryError) throw hubErrors.argumentInvalid(`Invalid queryCondition: ${error.message}`);
    throw error;
  }
  let startTimeMs = nowMs;
  if (body.startTime !== undefined && body.startTime !== null) {
    startTimeMs = typeof body.startTime === 'string' ? Date.parse(body.startTime) : Number.NaN;
    if (Number.isNaN(startTimeMs)) throw hubErrors.argumentInvalid('startTime must be an ISO 8601 date and time.');
  }
  const max = body.maxExecutionTimeInSeconds ?? 3600; // the SDK's defaultMaxExecutionTimeInSeconds
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) {
    throw hubErrors.argumentInvalid('maxExecutionTimeInSeconds must be a positive integer.');
  }
  const definition: JobDefinition = { jobId, type, queryCondition: body.queryCondition, query, startTimeMs, maxExecutionTimeInSeconds: max };
  if (type === 'scheduleDeviceMethod') {
    if (!isJsonObject(body.cloudToDeviceMethod)) throw hubErrors.argumentInvalid('cloudToDeviceMethod is required for scheduleDeviceMethod.');
    definition.method = parseMethodRequest(body.cloudToDeviceMethod);
    definition.cloudToDeviceMethod = body.cloudToDeviceMethod;
  } else {
    const patch = body.updateTwin;
    if (!isJsonObject(patch)) throw hubErrors.argumentInvalid('updateTwin is required for scheduleUpdateTwin.');
    const properties = isJsonObject(patch.properties) ? patch.properties : {};
    // The SDK e2e tests send `properties: { desired: {}, reported: {} }`: an empty reported section is accepted,
    // a non-empty one is not (reported properties belong to the device).
    if (isJsonObject(properties.reported) && Object.keys(properties.reported).length > 0) {
      throw hubErrors.argumentInvalid('updateTwin cannot change reported properties.');
    }
    definition.twinPatch = { tags: patch.tags, desired: properties.desired };
    definition.updateTwin = patch;
  }
  return definition;
}
