/** The schema's migrations, in order. A database records the ones applied in `schema_version` (migrate.ts). */
import { initial } from './001-initial.js';
import type { Migration } from './migration.js';

export type { Migration };

export const MIGRATIONS: readonly Migration[] = [initial];

/** The schema version this Baton writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
