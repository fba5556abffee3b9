// The rollout API (issue 11): its HTTP functions, its orchestration and its activities.
import { app } from '@azure/functions';
import * as df from 'durable-functions';
import {
  acquireRolloutBatch, acquireRolloutRetries, closeRollout, collectRolloutOutcomes, recordRolloutBatch, resolveRolloutTargets,
} from '../src/activities/rolloutActivities';
import {
  ROLLOUT_ACTIVITY, type AcquireBatchInput, type AcquireRetriesInput, type CloseRolloutInput, type CollectOutcomesInput,
  type RecordBatchInput, type ResolveTargetsInput,
} from '../src/activities/rolloutContracts';
import { callbackDependencies } from '../src/http/callbackSubscription';
import type { RolloutAcquireDependencies } from '../src/domain/rollouts/rolloutDeviceAcquire';
import type { RolloutStore } from '../src/domain/rollouts/rolloutStore';
import { controlRollout } from '../src/http/rolloutControl';
import { listRolloutDevices, listRollouts } from '../src/http/rolloutLists';
import { ROLLOUT_ROUTE } from '../src/http/rolloutRoutes';
import { startRollout } from '../src/http/rolloutStart';
import { getRolloutStatus } from '../src/http/rolloutStatus';
import { rolloutOrchestration } from '../src/orchestrations/rollout';
import { FUNCTION_ROLLOUT } from '../src/rolloutFunctionNames';
import { readBatchSize, readHubCapacity, rolloutServices } from '../src/rolloutServices';
import { appServices } from '../src/services';

// A malformed ROLLOUT_BATCH_SIZE, IOTHUB_SKU, IOTHUB_UNITS or ROLLOUT_QUOTA_SHARE stops the app while it loads,
// like the other settings (appSettings.ts).
readBatchSize(process.env);
readHubCapacity(process.env);

df.app.client.http(FUNCTION_ROLLOUT.start, {
  methods: ['POST'],
  route: ROLLOUT_ROUTE.rollouts,
  authLevel: 'function',
  handler: (request, client, context) => {
    const { store, batchSize, capacity } = rolloutServices();
    const { config, callbacks } = appServices();
    return startRollout(request, client, context, {
      store, batchSize, capacity, retry: config.retry, callbacks: callbackDependencies(callbacks, config.callbacks, config.callbacks.retry),
      twinEvents: config.twinEvents !== null,
    });
  },
});

df.app.client.http(FUNCTION_ROLLOUT.status, {
  methods: ['GET'],
  route: ROLLOUT_ROUTE.rollout,
  authLevel: 'function',
  handler: (request, client, context) => getRolloutStatus(request, client, context, { store: rolloutServices().store }),
});

app.http(FUNCTION_ROLLOUT.list, {
  methods: ['GET'],
  route: ROLLOUT_ROUTE.rollouts,
  authLevel: 'function',
  handler: (request, context) => listRollouts(request, context, { store: rolloutServices().store }),
});

app.http(FUNCTION_ROLLOUT.devices, {
  methods: ['GET'],
  route: ROLLOUT_ROUTE.devices,
  authLevel: 'function',
  handler: (request, context) => listRolloutDevices(request, context, { store: rolloutServices().store }),
});

for (const action of ['cancel', 'pause', 'resume'] as const) {
  df.app.client.http(FUNCTION_ROLLOUT[action], {
    methods: ['POST'],
    route: ROLLOUT_ROUTE[action],
    authLevel: 'function',
    handler: (request, client, context) => controlRollout(action, request, client, context, { store: rolloutServices().store }),
  });
}

df.app.orchestration(FUNCTION_ROLLOUT.orchestrator, rolloutOrchestration);

df.app.activity(ROLLOUT_ACTIVITY.resolveTargets.name, {
  handler: (input: ResolveTargetsInput) => resolveRolloutTargets(input, rolloutServices()),
});
function acquireDependencies(): RolloutAcquireDependencies & { store: RolloutStore } {
  const { guard, leases, operations } = appServices();
  return { guard, leases, operations, store: rolloutServices().store };
}
df.app.activity(ROLLOUT_ACTIVITY.acquireBatch.name, {
  handler: (input: AcquireBatchInput) => acquireRolloutBatch(input, acquireDependencies()),
});
df.app.activity(ROLLOUT_ACTIVITY.acquireRetries.name, {
  handler: (input: AcquireRetriesInput) => acquireRolloutRetries(input, acquireDependencies()),
});
df.app.activity(ROLLOUT_ACTIVITY.recordBatch.name, {
  handler: (input: RecordBatchInput) => recordRolloutBatch(input, rolloutServices()),
});
df.app.activity(ROLLOUT_ACTIVITY.collectOutcomes.name, {
  handler: (input: CollectOutcomesInput) => collectRolloutOutcomes(input, { operations: appServices().operations }),
});
df.app.activity(ROLLOUT_ACTIVITY.close.name, {
  handler: (input: CloseRolloutInput) => closeRollout(input, rolloutServices()),
});
