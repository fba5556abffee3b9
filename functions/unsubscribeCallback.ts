import * as df from 'durable-functions';
import { FUNCTION } from '../src/functionNames';
import { ROUTE } from '../src/http/routes';
import { unsubscribeCallback } from '../src/http/unsubscribeCallback';
import { rolloutServices } from '../src/rolloutServices';
import { appServices } from '../src/services';

df.app.client.http(FUNCTION.unsubscribeCallback, {
  methods: ['POST'],
  route: ROUTE.unsubscribeCallback,
  authLevel: 'function',
  handler: (request, client, context) => unsubscribeCallback(request, client, context, { callbacks: appServices().callbacks, rollouts: rolloutServices().store }),
});
