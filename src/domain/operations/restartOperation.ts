// The restart-style operations (reboot, factory reset) differ only in names: one definition built from them.
import type { OperationDefinition } from './operationDefinition';
import type { OperationKind } from './operationKind';
import { reportMayEnd } from './progressReports';
import { judgeRestart, RESTART_ENDINGS, type RestartFields } from './restartJudge';

export function restartOperation(kind: OperationKind, methodNameSetting: string, summary: string, fields: RestartFields): OperationDefinition {
  return Object.freeze<OperationDefinition>({
    kind,
    defaultMethodName: kind,
    methodNameSetting,
    section: fields.section,
    summary,
    // The device reports twice: when it starts restarting and when it is back (the Microsoft DM samples).
    reportedUpdates: 2,
    judge: (reading) => judgeRestart(fields, reading),
    // The start report (status "rebooting", or the SDK sample's start time) is progress: the device is going away.
    mayEnd: (patch) => reportMayEnd(patch, RESTART_ENDINGS, [fields.completedField]),
    // Schema 3 decides on the identity's connection time; worth a registry read only when it is what we wait for.
    needsConnectionTime: (reading) => {
      if (reading.state.connectionState !== 'Connected' || reading.state.connectionStateUpdatedTime !== null) return false;
      const verdict = judgeRestart(fields, reading);
      return verdict.state === 'pending' && verdict.waitingFor === 'reconnect';
    },
  });
}
