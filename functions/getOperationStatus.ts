import * as df from 'durable-functions';
import { FUNCTION } from '../src/functionNames';
import { getOperationStatus } from '../src/http/getOperationStatus';
import { ROUTE } from '../src/http/routes';
import { appServices } from '../src/services';

df.app.client.http(FUNCTION.getOperationStatus, {
  methods: ['GET'],
  route: ROUTE.operationStatus,
  authLevel: 'function',
  handler: (request, client, context) => {
    const { config, callbacks } = appServices();
    return getOperationStatus(request, client, context, { callbacks, retry: config.callbacks.retry });
  },
});
