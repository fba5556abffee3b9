import * as df from 'durable-functions';
import { FUNCTION } from '../src/functionNames';
import { cancelOperation } from '../src/http/cancelOperation';
import { ROUTE } from '../src/http/routes';

df.app.client.http(FUNCTION.cancelOperation, {
  methods: ['POST'],
  route: ROUTE.cancelOperation,
  authLevel: 'function',
  handler: (request, client, context) => cancelOperation(request, client, context),
});
