// The `status` field of a completion callback: one value a Logic Apps workflow can branch on, from the outcome.
// Logic Apps gives a callback no way to mark the HTTP Webhook action failed (the action passes on whatever body
// it gets), so the workflow branches on `status`; `outcome` keeps the detail.
import type { Outcome } from '../outcomes';

export const CALLBACK_STATUSES = ['Succeeded', 'Failed', 'TimedOut', 'Canceled'] as const;
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number];

export function callbackStatus(outcome: Outcome): CallbackStatus {
  switch (outcome) {
    case 'Succeeded': return 'Succeeded';
    case 'TimedOut': return 'TimedOut';
    case 'Canceled': return 'Canceled';
    default: return 'Failed';
  }
}
