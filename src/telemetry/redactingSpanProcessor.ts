// Rewrites every string attribute through redactSecrets while the span is still writable (onEnding runs before
// the span is frozen and handed to the exporting processors). HTTP client spans carry full URLs (url.full), which
// is where a key would show up.
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { redactSecrets } from './redact';

export class RedactingSpanProcessor implements SpanProcessor {
  onStart(_span: Span, _parentContext: Context): void {
    // Attributes set later (at end) are scrubbed in onEnding.
  }

  onEnding(span: Span): void {
    for (const [key, value] of Object.entries(span.attributes)) {
      if (typeof value === 'string') {
        const clean = redactSecrets(value);
        if (clean !== value) span.setAttribute(key, clean);
      } else if (Array.isArray(value) && value.some((item) => typeof item === 'string')) {
        span.setAttribute(key, value.map((item) => (typeof item === 'string' ? redactSecrets(item) : item)) as string[]);
      }
    }
    if (span.name !== redactSecrets(span.name)) span.updateName(redactSecrets(span.name));
  }

  onEnd(_span: ReadableSpan): void {
    // Nothing to do: the span was scrubbed in onEnding.
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
