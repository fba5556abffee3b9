// POST /devices/query (twins, or per-device job records FROM devices.jobs): body {"query":"…"}, page size in x-ms-max-item-count, position in x-ms-continuation; the
// response carries x-ms-item-type and, only when more pages exist, x-ms-continuation (research §7: an empty
// header would make the Node SDK loop forever). Documents are passed sorted by deviceId so paging is stable.
import type { IotHub } from '../hub';
import { hubErrors } from '../errors';
import { compileQuery, paginate, QueryError } from '../query/index';
import { isJsonObject } from '../twin/json';
import { type RestRequest, type RestResult, header } from './restTypes';

function pageSizeOf(request: RestRequest): number | undefined {
  const raw = header(request, 'x-ms-max-item-count');
  if (raw === undefined || raw.trim() === '') return undefined;
  const size = Number(raw);
  if (!Number.isSafeInteger(size)) throw hubErrors.argumentInvalid(`Invalid query: x-ms-max-item-count ${JSON.stringify(raw)} is not an integer.`);
  return size;
}

export function queryDevices(hub: IotHub, request: RestRequest): RestResult {
  hub.admit('queries');
  hub.counters.increment('queries');
  if (!isJsonObject(request.body) || typeof request.body.query !== 'string') {
    throw hubErrors.argumentInvalid('Invalid query: the body must be {"query":"<query text>"}.');
  }
  try {
    const query = compileQuery(request.body.query);
    const documents = query.source === 'devices.jobs' ? hub.jobs.deviceJobs() : hub.twinsSortedById();
    const page = paginate(query.run(documents), pageSizeOf(request), header(request, 'x-ms-continuation'));
    const headers: Record<string, string> = { 'x-ms-item-type': query.itemType };
    if (page.continuationToken !== undefined) headers['x-ms-continuation'] = page.continuationToken;
    return { status: 200, body: page.items, headers };
  } catch (error) {
    if (error instanceof QueryError) throw hubErrors.argumentInvalid(`Invalid query: ${error.message}`);
    throw error;
  }
}
