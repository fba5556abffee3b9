// One span per function invocation, carrying the operation's dimensions. The distro links the worker to the
// host's trace (its preInvocation hook binds the host's traceparent), so this span and the dependency calls made
// inside it share the host request's operation_Id. Orchestrator invocations are replays and get no span.
import type { FunctionHandler, InvocationContext, PreInvocationContext } from '@azure/functions';
import { SpanKind, SpanStatusCode, context as otelContext, trace, type Tracer } from '@opentelemetry/api';
import { ATTR } from './attributes';
import { inputAttributes, resultAttributes } from './invocationAttributes';

const NO_SPAN_TRIGGERS = new Set(['orchestrationTrigger', 'entityTrigger']);

export function traceInvocation(tracer: Tracer, hook: PreInvocationContext): void {
  const { functionName, invocationId, options } = hook.invocationContext;
  const trigger = options.trigger.type;
  if (NO_SPAN_TRIGGERS.has(trigger)) return;
  const handler: FunctionHandler = hook.functionHandler;
  hook.functionHandler = (input: unknown, invocation: InvocationContext) => {
    const span = tracer.startSpan(functionName, {
      kind: SpanKind.INTERNAL,
      attributes: {
        [ATTR.functionName]: functionName,
        [ATTR.invocationId]: invocationId,
        [ATTR.trigger]: trigger,
        ...inputAttributes(input),
      },
    });
    const finish = (result: unknown): unknown => {
      span.setAttributes(resultAttributes(result));
      const status = (result as { status?: unknown } | null)?.status;
      if (typeof status === 'number' && status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      return result;
    };
    const fail = (err: unknown): never => {
      // The error's type only: messages may quote inputs, and stack traces add nothing a dimension needs.
      span.setAttribute(ATTR.errorType, err instanceof Error ? err.name : typeof err);
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      throw err;
    };
    try {
      const result = otelContext.with(trace.setSpan(otelContext.active(), span), () => handler(input, invocation));
      return result instanceof Promise ? result.then(finish, fail) : finish(result);
    } catch (err) {
      return fail(err);
    }
  };
}
