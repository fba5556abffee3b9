import * as df from 'durable-functions';
import { ACTIVITY, type RecordInput } from '../src/activities/contracts';
import { recordOperation } from '../src/activities/recordOperation';
import { appServices } from '../src/services';

df.app.activity(ACTIVITY.recordOperation.name, {
  handler: (input: RecordInput) => recordOperation(input, appServices()),
});
