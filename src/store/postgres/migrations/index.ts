/** The schema's migrations, in order. A database records the ones applied in `schema_version` (migrate.ts). */
import { initial } from './001-initial.js';

/** One step of the schema: `sql` runs once, inside the transaction that applies every pending step. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [initial];

/** The schema version this Baton writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
