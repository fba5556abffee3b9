import { app } from '@azure/functions';
import { FUNCTION } from '../src/functionNames';
import { listDeviceOperations } from '../src/http/listDeviceOperations';
import { ROUTE } from '../src/http/routes';
import { appServices } from '../src/services';

app.http(FUNCTION.listDeviceOperations, {
  methods: ['GET'],
  route: ROUTE.deviceOperations,
  authLevel: 'function',
  handler: (request, context) => listDeviceOperations(request, context, { operations: appServices().operations }),
});
