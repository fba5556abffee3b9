// The app's functions the engine can run, by name, with the trigger binding the invocation fills in
// (orchestrationTrigger or activityTrigger).
import { findTrigger, type FunctionMetadata } from '../rpc/types';

export interface CatalogEntry {
  metadata: FunctionMetadata;
  triggerName: string;
  triggerType: string;
}

export type FunctionCatalog = ReadonlyMap<string, CatalogEntry>;

export function functionCatalog(functions: FunctionMetadata[]): FunctionCatalog {
  const out = new Map<string, CatalogEntry>();
  for (const metadata of functions) {
    const trigger = findTrigger(metadata);
    if (trigger) out.set(metadata.name, { metadata, triggerName: trigger.name, triggerType: String(trigger.binding.type) });
  }
  return out;
}

/** The function when it exists with that trigger type (the extension fails the work otherwise). */
export function functionOfType(catalog: FunctionCatalog, name: string, triggerType: 'orchestrationTrigger' | 'activityTrigger'): CatalogEntry | undefined {
  const fn = catalog.get(name);
  return fn?.triggerType === triggerType ? fn : undefined;
}
