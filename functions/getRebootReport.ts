import { app } from '@azure/functions';
import { FUNCTION } from '../src/functionNames';
import { getRebootReport } from '../src/http/getRebootReport';
import { ROUTE } from '../src/http/routes';
import { appServices } from '../src/services';

app.http(FUNCTION.getRebootReport, {
  methods: ['GET'],
  route: ROUTE.rebootReport,
  authLevel: 'function',
  handler: (request, context) => getRebootReport(request, context, { iotHub: appServices().iotHub }),
});
