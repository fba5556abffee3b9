import * as df from 'durable-functions';
import { recordOperation } from '../src/activities/recordOperation';
import type { OperationRecord } from '../src/domain/operationRecord';
import { FUNCTION } from '../src/functionNames';
import { appServices } from '../src/services';

df.app.activity(FUNCTION.recordOperation, {
  handler: (record: OperationRecord) => recordOperation(record, appServices().operations),
});
