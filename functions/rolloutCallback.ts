// The activity behind a rollout's completion callback (the callback itself goes through notifyCallback).
import * as df from 'durable-functions';
import { rolloutFinalStatus, ROLLOUT_FINAL_STATUS, type RolloutFinalStatusInput } from '../src/activities/rolloutFinalStatus';
import { rolloutServices } from '../src/rolloutServices';

df.app.activity(ROLLOUT_FINAL_STATUS.name, {
  handler: (input: RolloutFinalStatusInput) => rolloutFinalStatus(input, rolloutServices()),
});
