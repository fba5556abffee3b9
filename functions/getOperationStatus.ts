import { setTimeout as delay } from 'node:timers/promises';
import * as df from 'durable-functions';
import { FUNCTION } from '../src/functionNames';
import { sweepInstance } from '../src/http/callbackSweep';
import { getOperationStatus } from '../src/http/getOperationStatus';
import { ROUTE } from '../src/http/routes';
import { appServices } from '../src/services';

df.app.client.http(FUNCTION.getOperationStatus, {
  methods: ['GET'],
  route: ROUTE.operationStatus,
  authLevel: 'function',
  handler: (request, client, context) => {
    const { config, callbacks } = appServices();
    // Callbacks still waiting for an operation that is over (terminated, failed, subscribed late) go out now.
    return getOperationStatus(request, client, context, (instanceId) => sweepInstance(client, { callbacks, retry: config.callbacks.retry }, instanceId),
      Date.now, { maxMs: config.statusHoldMs, wait: (ms) => delay(ms), now: Date.now });
  },
});
