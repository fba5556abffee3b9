import * as df from 'durable-functions';
import { FUNCTION } from '../src/functionNames';
import { rebootDeviceOrchestration } from '../src/orchestrations/rebootDevice';

df.app.orchestration(FUNCTION.rebootOrchestrator, rebootDeviceOrchestration);
