/** Ids of tasks and sessions: cryptographically random (SPEC §5), so that one cannot be guessed from another. */
import { randomUUID } from 'node:crypto';

export function newId(): string {
  return randomUUID();
}
