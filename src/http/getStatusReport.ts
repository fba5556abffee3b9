// GET /api/reports/{operation}: fleet progress of one operation kind — devices counted by the status they report
// in `iothubDM.<section>`, from one IoT Hub GROUP BY twin query built from validated filters.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { parseFleetQuery } from '../domain/fleetReport';
import { isOperationKind, OPERATION_KINDS } from '../domain/operations/operationKind';
import { operationDefinition } from '../domain/operations/registry';
import type { IotHubGateway } from '../domain/ports';
import { RequestError } from '../domain/requestError';
import { printable } from '../domain/text';
import { readQuery } from './queryParameters';
import { errorResponse, json } from './responses';
import { ROUTE, routeParameter } from './routes';

export async function getStatusReport(request: HttpRequest, context: InvocationContext,
  deps: { iotHub: Pick<IotHubGateway, 'countByStatus'>; now?: () => Date }): Promise<HttpResponseInit> {
  try {
    const operation = routeParameter(request, ROUTE.statusReport, 'operation');
    if (!isOperationKind(operation)) {
      throw new RequestError('notFound', 'ReportNotFound', `There is no report for '${printable(operation)}'. Reports: ${OPERATION_KINDS.join(', ')}.`, 'operation');
    }
    // parseFleetQuery refuses unknown and repeated parameters itself; readQuery reads them from the raw URL.
    const filters = parseFleetQuery(readQuery(request, ['connectionState', 'deviceIdPrefix', 'tagName', 'tagValue']));
    const section = operationDefinition(operation).section;
    const counts = await deps.iotHub.countByStatus(section, filters);
    return json(200, {
      operation,
      reportedProperty: `iothubDM.${section}.status`,
      generatedAt: (deps.now ?? (() => new Date()))().toISOString(),
      filters,
      totalDevices: counts.reduce((sum, c) => sum + c.devices, 0),
      byStatus: counts,
    });
  } catch (err) {
    return errorResponse(err, context);
  }
}
