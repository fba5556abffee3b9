import * as df from 'durable-functions';
import { ACTIVITY, type ReadInput } from '../src/activities/contracts';
import { readDeviceState } from '../src/activities/readDeviceState';
import { appServices } from '../src/services';

df.app.activity(ACTIVITY.readDeviceState.name, {
  handler: (input: ReadInput) => readDeviceState(input, appServices().iotHub),
});
