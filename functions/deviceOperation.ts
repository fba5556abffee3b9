import * as df from 'durable-functions';
import { FUNCTION } from '../src/functionNames';
import { deviceOperationOrchestration } from '../src/orchestrations/deviceOperation';

df.app.orchestration(FUNCTION.deviceOperationOrchestrator, deviceOperationOrchestration);
