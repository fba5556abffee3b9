import * as df from 'durable-functions';
import { ACTIVITY, type InvokeInput } from '../src/activities/contracts';
import { invokeDeviceMethod } from '../src/activities/invokeDeviceMethod';
import { appServices } from '../src/services';

df.app.activity(ACTIVITY.invokeDeviceMethod.name, {
  handler: (input: InvokeInput) => {
    const { config, guard, iotHub } = appServices();
    return invokeDeviceMethod(input, { guard, hub: iotHub, methodNames: config.methodNames });
  },
});
