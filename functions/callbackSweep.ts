// Callbacks the instance's own final step could not make (terminated or failed instances, subscriptions to
// running operations): the subscribe route, the sweeper timer and the delivery orchestration (callbackSweep.ts).
import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { FUNCTION } from '../src/functionNames';
import { callbackDependencies } from '../src/http/callbackSubscription';
import { sweepCallbacks, type SweepDependencies } from '../src/http/callbackSweep';
import { ROUTE } from '../src/http/routes';
import { subscribeCallback } from '../src/http/subscribeCallback';
import { callbackDeliveryOrchestration } from '../src/orchestrations/callbackDelivery';
import { rolloutServices } from '../src/rolloutServices';
import { appServices } from '../src/services';

/** Every minute: a terminated operation's Logic App hears of it within about a minute. */
export const CALLBACK_SWEEP_SCHEDULE = '0 * * * * *';

function sweepDependencies(): SweepDependencies {
  const { config, callbacks } = appServices();
  return { callbacks, retry: config.callbacks.retry };
}

df.app.client.http(FUNCTION.subscribeCallback, {
  methods: ['POST'],
  route: ROUTE.subscribeCallback,
  authLevel: 'function',
  handler: (request, client, context) => {
    const { config, callbacks } = appServices();
    return subscribeCallback(request, client, context, {
      callbacks: callbackDependencies(callbacks, config.callbacks, config.callbacks.retry), sweep: sweepDependencies(),
    });
  },
});

app.timer(FUNCTION.sweepCallbacks, {
  schedule: CALLBACK_SWEEP_SCHEDULE,
  extraInputs: [df.input.durableClient()],
  handler: async (_timer, context) => {
    const started = await sweepCallbacks(df.getClient(context), { ...sweepDependencies(), rollouts: rolloutServices().store });
    if (started > 0) context.info(`Callback sweep: ${started} delivery(ies) started.`);
  },
});

df.app.orchestration(FUNCTION.callbackDeliveryOrchestrator, callbackDeliveryOrchestration);
