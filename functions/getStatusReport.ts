import { app } from '@azure/functions';
import { FUNCTION } from '../src/functionNames';
import { getStatusReport } from '../src/http/getStatusReport';
import { ROUTE } from '../src/http/routes';
import { appServices } from '../src/services';

app.http(FUNCTION.getStatusReport, {
  methods: ['GET'],
  route: ROUTE.statusReport,
  authLevel: 'function',
  handler: (request, context) => getStatusReport(request, context, { iotHub: appServices().iotHub }),
});
