/**
 * The tasks past retention, found by a walk over the live image in slices that yield to the event loop between
 * them, so that a compaction at 1M tasks never holds the lock (or the event loop) for the whole walk: under the lock
 * only the few ids found are looked at again (`StoreState.prune`). The walk sees changes made between slices (a Map
 * iterator is live), and what it misses is pruned by the next compaction.
 */
import { setImmediate as turn } from 'node:timers/promises';
import { expired } from './store-state.js';
import type { StoreState } from './store-state.js';

/** Tasks looked at per turn of the event loop: well under a millisecond of work. */
export const EXPIRED_SLICE = 1024;

export async function expiredTasks(state: StoreState, cutoff: string): Promise<string[]> {
  const found: string[] = [];
  let seen = 0;
  for (const [id, task] of state.tasks) {
    if (expired(task, cutoff)) found.push(id);
    if (++seen % EXPIRED_SLICE === 0) await turn();
  }
  return found;
}
