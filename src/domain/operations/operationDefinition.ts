// What makes one operation kind: data the rest of the app reads (one orchestration, one set of activities, one
// start handler and one record type serve every kind).
import type { OperationKind } from './operationKind';
import type { PayloadRule } from '../operationRequest';
import type { SectionReading } from '../reportedSection';
import type { Verdict } from './verdict';

export interface OperationDefinition {
  kind: OperationKind;
  /** Default direct-method name; a setting per kind may rename it. */
  defaultMethodName: string;
  /** App setting that renames the direct method. */
  methodNameSetting: string;
  /** The reported section it watches: `properties.reported.iothubDM.<section>`. */
  section: string;
  /** Extra rule for the request's payload, if the kind has one. */
  payloadRule?: PayloadRule;
  /** Pure judge of one reading of the section. */
  judge(reading: SectionReading): Verdict;
  /**
   * Whether one reported patch of the section (`iothubDM.<section>` as a twin change event carries it) could let the
   * judge decide; false for progress-only reports, which then wake no twin read (./progressReports.ts).
   */
  mayEnd(patch: unknown): boolean;
  /** True when the judge needs the identity's connection time to decide (a registry read, so only when needed). */
  needsConnectionTime(reading: SectionReading): boolean;
  /**
   * Reported-property updates one operation makes the device send (its twin-update cost at the hub): rollouts pace
   * device starts so these stay within the hub's twin-update throttle. The most the kind's protocol sends.
   */
  reportedUpdates: number;
  /** One line for the OpenAPI document and the README. */
  summary: string;
}
