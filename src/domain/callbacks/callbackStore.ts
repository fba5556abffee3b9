// Port: where callback URLs live while their operation runs. The URL is a secret, so it is kept out of the
// orchestration (whose input and history the Durable management API can show) and stored in a table row that only
// the callback activity and the unsubscribe route read. Rows are keyed by `callbackKey(url)` (a SHA-256 of the
// URL, which is what the orchestration carries) and the instance id; a row is deleted once the callback is
// delivered, refused or given up, and by unsubscribe.
import { createHash } from 'node:crypto';

export interface CallbackStore {
  save(key: string, instanceId: string, url: string): Promise<void>;
  /** The URL, or null when the operation was unsubscribed (or already called back). */
  read(key: string, instanceId: string): Promise<string | null>;
  remove(key: string, instanceId: string): Promise<void>;
  /** Instance ids subscribed with the URL whose key this is. */
  subscribers(key: string): Promise<string[]>;
  /** Keys of the callbacks waiting for this instance (the sweeper's view of one instance). */
  forInstance(instanceId: string): Promise<string[]>;
  /** Every waiting callback (the sweeper's view; rows go away once used, so this stays small). */
  pending(): Promise<Array<{ key: string; instanceId: string }>>;
}

/** The lookup key of a callback URL: hex SHA-256 of its exact text (the URL itself cannot be recovered from it). */
export function callbackKey(url: string): string {
  return createHash('sha256').update(url, 'utf8').digest('hex');
}
