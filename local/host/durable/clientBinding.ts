// The durableClient input binding payload (extension BindingHelper.DurableOrchestrationClientToString)
// and the management URLs of HttpApiHandler.GetClientResponseLinks (research §3.1).

export interface WebhookContext {
  /** Origin of the public host, e.g. http://127.0.0.1:7071. */
  origin: string;
  hubName: string;
  systemKey: string;
  /** The local RPC endpoint the JS DurableClient prefers (LocalHttpListener), ending in "/". */
  rpcBaseUrl: string;
  connectionName?: string;
}

export const WEBHOOK_PATH = '/runtime/webhooks/durabletask';

export function webhookBase(ctx: WebhookContext, origin = ctx.origin): string {
  return `${origin}${WEBHOOK_PATH}`;
}

export interface ManagementUrls {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  rewindPostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

export function managementUrls(ctx: WebhookContext, instanceId: string, origin = ctx.origin, encodeId = true): ManagementUrls {
  const prefix = `${webhookBase(ctx, origin)}/instances/${encodeId ? encodeURIComponent(instanceId) : instanceId}`;
  const query = `taskHub=${encodeURIComponent(ctx.hubName)}&connection=${encodeURIComponent(ctx.connectionName ?? 'Storage')}&code=${encodeURIComponent(ctx.systemKey)}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${prefix}?${query}`,
    sendEventPostUri: `${prefix}/raiseEvent/{eventName}?${query}`,
    terminatePostUri: `${prefix}/terminate?reason={text}&${query}`,
    rewindPostUri: `${prefix}/rewind?reason={text}&${query}`,
    purgeHistoryDeleteUri: `${prefix}?${query}`,
    restartPostUri: `${prefix}/restart?${query}`,
    suspendPostUri: `${prefix}/suspend?reason={text}&${query}`,
    resumePostUri: `${prefix}/resume?reason={text}&${query}`,
  };
}

export function clientBindingPayload(ctx: WebhookContext): Record<string, unknown> {
  const base = webhookBase(ctx);
  const required = `code=${encodeURIComponent(ctx.systemKey)}`;
  const instancePrefix = `${base}/orchestrators/{functionName}[/{instanceId}]`;
  return {
    taskHubName: ctx.hubName,
    creationUrls: {
      createNewInstancePostUri: `${instancePrefix}?${required}`,
      createAndWaitOnNewInstancePostUri: `${instancePrefix}?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${required}`,
    },
    // The placeholder id stays literal: the JS client substitutes it.
    managementUrls: managementUrls(ctx, 'INSTANCEID', ctx.origin, false),
    baseUrl: base,
    requiredQueryStringParameters: required,
    rpcBaseUrl: ctx.rpcBaseUrl,
  };
}
