// Picks the store from the `storage` option: "memory", a Store object, or a storage connection string.
import { MemoryStore } from './memoryStore';
import type { Store } from './store';
import { TableStore } from './tableStore';

export async function createStore(storage: string | Store, hubName: string): Promise<Store> {
  if (typeof storage !== 'string') return storage;
  if (storage === 'memory') return new MemoryStore();
  return new TableStore(storage, hubName);
}
