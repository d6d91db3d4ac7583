/**
 * Opens the store the configuration names (`--store`, `BATON_STORE`): a `postgres://` URL for the networked backend
 * (SPEC §9; not built yet), anything else is the path of the embedded file store.
 */
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import { LowdbTaskStore } from './file/file-task-store.js';
import type { StoreOpenOptions, TaskStore } from './task-store.js';

export interface OpenStoreOptions extends StoreOpenOptions {
  log?: Logger;
}

/** Opens the store at `location`; throws `StoreError` when it cannot be read (it is left as it is). */
export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<TaskStore> {
  if (/^postgres(ql)?:\/\//i.test(location)) {
    throw new ConfigError(
      `invalid --store: the PostgreSQL backend is not part of this Baton yet; give a file path (got a postgres:// URL)`,
    );
  }
  return LowdbTaskStore.open({ path: location, ...options });
}
