import * as df from 'durable-functions';
import { FUNCTION } from '../src/functionNames';
import { ROUTE } from '../src/http/routes';
import { startReboot } from '../src/http/startReboot';
import { appServices } from '../src/services';

df.app.client.http(FUNCTION.startReboot, {
  methods: ['POST'],
  route: ROUTE.startReboot,
  authLevel: 'function',
  handler: (request, client, context) => {
    const { config, operations } = appServices();
    return startReboot(request, client, context, { operations, rebootMethodName: config.rebootMethodName, retry: config.retry });
  },
});
