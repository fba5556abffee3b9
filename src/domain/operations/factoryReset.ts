// factoryReset: the `factoryReset` direct method, progress under `iothubDM.factoryReset` (same steps as reboot).
import type { OperationDefinition } from './operationDefinition';
import { waitsForReconnect } from './reboot';
import { judgeRestart, type RestartFields } from './restartJudge';

const FIELDS: RestartFields = { section: 'factoryReset', completedField: 'lastFactoryReset', startedField: 'startedFactoryResetTime' };

export const FACTORY_RESET: OperationDefinition = Object.freeze<OperationDefinition>({
  kind: 'factoryReset',
  defaultMethodName: 'factoryReset',
  methodNameSetting: 'FACTORY_RESET_METHOD_NAME',
  section: FIELDS.section,
  summary: 'Reset the device to factory settings and wait until it reports that it is back.',
  judge: (reading) => judgeRestart(FIELDS, reading),
  needsConnectionTime: (reading) => waitsForReconnect(FIELDS, reading),
});
