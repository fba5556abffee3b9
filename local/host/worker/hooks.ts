// Runs hooks in registration order, awaiting each (worker src/hooks/executeHooks.ts).
import type { HookCallback } from './coreApi';

export async function runHooks(hooks: HookCallback[], context: unknown): Promise<void> {
  for (const hook of hooks) {
    await hook(context);
  }
}
