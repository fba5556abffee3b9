import * as df from 'durable-functions';
import { readRebootState } from '../src/activities/readRebootState';
import type { ReadRebootStateInput } from '../src/domain/ports';
import { FUNCTION } from '../src/functionNames';
import { appServices } from '../src/services';

df.app.activity(FUNCTION.readRebootState, {
  handler: (input: ReadRebootStateInput) => readRebootState(input, appServices().iotHub),
});
