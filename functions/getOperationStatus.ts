import * as df from 'durable-functions';
import { FUNCTION } from '../src/functionNames';
import { getOperationStatus } from '../src/http/getOperationStatus';
import { ROUTE } from '../src/http/routes';

df.app.client.http(FUNCTION.getOperationStatus, {
  methods: ['GET'],
  route: ROUTE.operationStatus,
  authLevel: 'function',
  handler: (request, client, context) => getOperationStatus(request, client, context),
});
