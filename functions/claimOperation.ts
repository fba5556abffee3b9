import * as df from 'durable-functions';
import { claimOperation } from '../src/activities/claimOperation';
import { ACTIVITY, type ClaimInput } from '../src/activities/contracts';
import { appServices } from '../src/services';

df.app.activity(ACTIVITY.claimOperation.name, {
  handler: (input: ClaimInput) => claimOperation(input, appServices()),
});
