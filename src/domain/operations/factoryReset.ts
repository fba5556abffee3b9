// factoryReset: the `factoryReset` direct method, progress under `iothubDM.factoryReset` (same steps as reboot).
import { restartOperation } from './restartOperation';

export const FACTORY_RESET = restartOperation('factoryReset', 'FACTORY_RESET_METHOD_NAME',
  'Reset the device to factory settings and wait until it reports that it is back.',
  { section: 'factoryReset', completedField: 'lastFactoryReset', startedField: 'startedFactoryResetTime' });
