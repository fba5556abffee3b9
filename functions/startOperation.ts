// One start function per operation kind (startReboot, startFactoryReset, startFirmwareUpdate), all served by the
// same handler: the kind comes from the route, never from the caller's body.
import * as df from 'durable-functions';
import { OPERATION_KINDS } from '../src/domain/operations/operationKind';
import { startFunctionName } from '../src/functionNames';
import { startRoute } from '../src/http/routes';
import { startOperation } from '../src/http/startOperation';
import { appServices } from '../src/services';
import { callbackDependencies } from '../src/http/callbackSubscription';

for (const kind of OPERATION_KINDS) {
  df.app.client.http(startFunctionName(kind), {
    methods: ['POST'],
    route: startRoute(kind),
    authLevel: 'function',
    handler: (request, client, context) => {
      const { config, guard, operations, callbacks } = appServices();
      return startOperation(kind, request, client, context, {
        guard, operations, retry: config.retry, twinEvents: config.twinEvents ?? undefined,
        callbacks: callbackDependencies(callbacks, config.callbacks, config.callbacks.retry),
      });
    },
  });
}
