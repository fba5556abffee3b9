import * as df from 'durable-functions';
import { invokeRebootMethod } from '../src/activities/invokeRebootMethod';
import type { MethodRequest } from '../src/domain/methodInvocation';
import { FUNCTION } from '../src/functionNames';
import { appServices } from '../src/services';

df.app.activity(FUNCTION.invokeRebootMethod, {
  handler: (input: MethodRequest) => invokeRebootMethod(input, appServices().iotHub),
});
