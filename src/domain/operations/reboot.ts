// reboot: the `reboot` direct method, progress under `iothubDM.reboot`.
import type { OperationDefinition } from './operationDefinition';
import { judgeRestart, type RestartFields } from './restartJudge';

const FIELDS: RestartFields = { section: 'reboot', completedField: 'lastReboot', startedField: 'startedRebootTime' };

export const REBOOT: OperationDefinition = Object.freeze<OperationDefinition>({
  kind: 'reboot',
  defaultMethodName: 'reboot',
  methodNameSetting: 'REBOOT_METHOD_NAME',
  section: FIELDS.section,
  summary: 'Reboot the device and wait until it reports that it is back.',
  judge: (reading) => judgeRestart(FIELDS, reading),
  needsConnectionTime: (reading) => waitsForReconnect(FIELDS, reading),
});

/** Schema 3 decides on the identity's connection time; worth a registry read only when it is what we wait for. */
export function waitsForReconnect(fields: RestartFields, reading: Parameters<OperationDefinition['judge']>[0]): boolean {
  if (reading.state.connectionState !== 'Connected') return false;
  const verdict = judgeRestart(fields, reading);
  return verdict.state === 'pending' && verdict.waitingFor === 'reconnect' && reading.state.connectionStateUpdatedTime === null;
}
