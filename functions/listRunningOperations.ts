import { app } from '@azure/functions';
import { FUNCTION } from '../src/functionNames';
import { listRunningOperations } from '../src/http/listRunningOperations';
import { ROUTE } from '../src/http/routes';
import { appServices } from '../src/services';

app.http(FUNCTION.listRunningOperations, {
  methods: ['GET'],
  route: ROUTE.runningOperations,
  authLevel: 'function',
  handler: (request, context) => listRunningOperations(request, context, { leases: appServices().leases }),
});
