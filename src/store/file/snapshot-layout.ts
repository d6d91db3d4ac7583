/**
 * The snapshot's layout for the store: its header, the empty snapshot, and the record schemas of each section by
 * the file's schema version (a newer version than this Baton's is refused with `NewerSchemaError`).
 */
import { z } from 'zod';
import type { SnapshotData } from './snapshot-file.js';
import { SCHEMA_VERSION, recordSchemas } from './stored-records.js';

/** The header of a snapshot; its records are validated by `SnapshotFile` as it streams them in. */
export const SnapshotHeaderSchema = z.object({
  schema_version: z.number().int(),
  generation: z.number().int(),
  seq: z.number().int(),
  tasks: z.array(z.unknown()),
  inbox: z.array(z.unknown()),
  sessions: z.array(z.unknown()).default([]),
});

export const EMPTY_SNAPSHOT: SnapshotData = {
  schema_version: SCHEMA_VERSION,
  generation: 0,
  seq: 0,
  tasks: [],
  inbox: [],
  sessions: [],
};

/** The record schemas of a snapshot, by its header's schema version (a newer one is refused). */
export function sectionsFor(header: SnapshotData) {
  const version = typeof header.schema_version === 'number' ? header.schema_version : SCHEMA_VERSION;
  if (version > SCHEMA_VERSION) throw new NewerSchemaError(version);
  const schemas = recordSchemas(version);
  return { tasks: schemas.task, inbox: schemas.inbox, sessions: schemas.session };
}

export class NewerSchemaError extends Error {
  constructor(readonly version: number) {
    super(`schema version ${version}`);
  }
}
