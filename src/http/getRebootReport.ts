// GET /api/reports/reboot: fleet progress — devices counted by reported reboot status, from one IoT Hub
// GROUP BY twin query built from validated filters.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { parseFleetQuery } from '../domain/fleetReport';
import type { IotHubGateway } from '../domain/ports';
import { errorResponse, json } from './responses';

export async function getRebootReport(request: HttpRequest, context: InvocationContext,
  deps: { iotHub: Pick<IotHubGateway, 'countByRebootStatus'>; now?: () => Date }): Promise<HttpResponseInit> {
  try {
    const filters = parseFleetQuery(request.query);
    const counts = await deps.iotHub.countByRebootStatus(filters);
    return json(200, {
      generatedAt: (deps.now ?? (() => new Date()))().toISOString(),
      filters,
      totalDevices: counts.reduce((sum, c) => sum + c.devices, 0),
      byStatus: counts,
    });
  } catch (err) {
    return errorResponse(err, context);
  }
}
