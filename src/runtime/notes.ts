/**
 * A subagent's notes (SPEC §8 memory scope): key → value, kept on its session. A child's session is made when its
 * parent spawns it: `isolated` starts empty, `snapshot` starts with a copy of the parent's notes at that moment,
 * `shared` links to the parent's notes and reads and writes them live.
 */
import type { MemoryScope } from '../agents/definition.js';
import { newId } from '../model/ids.js';
import type { Session } from '../model/session.js';
import type { TaskStore } from '../store/task-store.js';

export class Notes {
  constructor(private readonly store: TaskStore) {}

  /** The notes a session sees (a shared session sees its parent's). */
  async read(sessionId: string | null): Promise<Record<string, string>> {
    if (sessionId === null) return {};
    const owner = await this.owner(sessionId, (id) => this.store.getSession(id));
    return (await this.store.getSession(owner))?.notes ?? {};
  }

  /** Sets `key` in the notes `sessionId` sees; creates the session if the run has not saved one yet. */
  async remember(sessionId: string, agentId: string, owner: string, key: string, value: string): Promise<void> {
    await this.store.transact(async (tx) => {
      const id = await this.owner(sessionId, (s) => tx.getSession(s));
      const session = (await tx.getSession(id)) ?? emptySession(id, agentId, owner, null);
      tx.putSession({ ...session, notes: { ...session.notes, [key]: value }, updated_at: new Date().toISOString() });
    });
  }

  /** Makes the session of a child spawned by the run of `parentSessionId`, with notes by the child's memory scope. */
  async spawn(
    parentSessionId: string | null,
    child: { agentId: string; owner: string; scope: MemoryScope },
  ): Promise<string> {
    const id = newId();
    await this.store.transact(async (tx) => {
      const parentOwner = parentSessionId === null ? null : await this.owner(parentSessionId, (s) => tx.getSession(s));
      const parentNotes = parentOwner === null ? {} : ((await tx.getSession(parentOwner))?.notes ?? {});
      const session = emptySession(id, child.agentId, child.owner, child.scope === 'shared' ? parentOwner : null);
      if (child.scope === 'snapshot') session.notes = { ...parentNotes };
      tx.putSession(session);
    });
    return id;
  }

  /** Follows `notes_from` links to the session that holds the notes. */
  private async owner(sessionId: string, get: (id: string) => Promise<Session | undefined>): Promise<string> {
    let id = sessionId;
    for (let hops = 0; hops < 16; hops++) {
      const next = (await get(id))?.notes_from;
      if (!next) return id;
      id = next;
    }
    return id;
  }
}

export function emptySession(id: string, agentId: string, owner: string, notesFrom: string | null): Session {
  const now = new Date().toISOString();
  return {
    id,
    agent_id: agentId,
    owner,
    messages: [],
    notes: {},
    notes_from: notesFrom,
    created_at: now,
    updated_at: now,
    seq: 0,
  };
}
