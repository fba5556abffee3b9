import * as df from 'durable-functions';
import { createCallbackSender } from '../src/adapters/callbacks/httpCallbackSender';
import { ACTIVITY, type NotifyInput } from '../src/activities/contracts';
import { notifyCallback } from '../src/activities/notifyCallback';
import { appServices } from '../src/services';

df.app.activity(ACTIVITY.notifyCallback.name, {
  handler: (input: NotifyInput, context) => {
    const { config, callbacks } = appServices();
    return notifyCallback(input, { callbacks, send: createCallbackSender(config.callbacks), log: (line) => context.info(line) });
  },
});
