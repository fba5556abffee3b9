// reboot: the `reboot` direct method, progress under `iothubDM.reboot`.
import { restartOperation } from './restartOperation';

export const REBOOT = restartOperation('reboot', 'REBOOT_METHOD_NAME',
  'Reboot the device and wait until it reports that it is back.',
  { section: 'reboot', completedField: 'lastReboot', startedField: 'startedRebootTime' });
