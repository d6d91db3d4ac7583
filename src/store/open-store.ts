/**
 * Opens the store the configuration names (`--store`, `BATON_STORE`): a `postgres://` URL for the networked backend
 * (SPEC §9), anything else is the path of the embedded file store. The PostgreSQL backend is loaded only when
 * named (a dynamic import), so that a file store's start never loads `pg`.
 */
import type { Logger } from '../log.js';
import { LowdbTaskStore } from './file/file-task-store.js';
import type { StoreOpenOptions, TaskStore } from './task-store.js';

export interface OpenStoreOptions extends StoreOpenOptions {
  log?: Logger;
}

/** True for the `--store` values that name a PostgreSQL database. */
export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Opens the store at `location`; throws `StoreError` (one line) when it cannot be read or reached, leaving it as
 * it is, and `ConfigError` for a malformed URL.
 */
export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<TaskStore> {
  if (isPostgresLocation(location)) {
    const { PostgresTaskStore } = await import('./postgres/postgres-task-store.js');
    return PostgresTaskStore.open({ url: location, ...options });
  }
  return LowdbTaskStore.open({ path: location, ...options });
}
