/**
 * Sessions of dispatches (SPEC §4 `session_id`): which one a call continues or starts, the session of a child a run
 * spawns (with notes by the child's memory scope), and saving a run's conversation on its session.
 */
import type { AgentDefinition } from '../agents/definition.js';
import { InputError } from '../errors.js';
import type { ChatMessage } from '../model/chat-message.js';
import { newId } from '../model/ids.js';
import type { Task } from '../model/task.js';
import type { TaskStore, Transaction } from '../store/task-store.js';
import { emptySession } from './notes.js';
import type { Notes } from './notes.js';

export class Sessions {
  constructor(
    private readonly store: TaskStore,
    private readonly notes: Notes,
  ) {}

  /** The session a dispatch by `caller` to `agent` runs in: a new one, or the given one, which must be theirs. */
  async forDispatch(caller: string, agent: AgentDefinition, sessionId: string | undefined): Promise<string> {
    if (sessionId === undefined) return newId();
    const session = await this.store.getSession(sessionId);
    if (!session || session.owner !== caller) throw new InputError('not_found', `session not found: ${sessionId}`);
    if (session.agent_id !== agent.id) {
      throw new InputError(
        'wrong_agent',
        `session ${sessionId} is a conversation with ${session.agent_id}, not ${agent.id}`,
      );
    }
    return sessionId;
  }

  /** The session of a child of `parent`'s run, with notes by the child's memory scope (fixed now, at spawn). */
  spawn(parent: Task, child: AgentDefinition, owner: string): Promise<string> {
    return this.notes.spawn(parent.session_id, { agentId: child.id, owner, scope: child.memory_scope });
  }

  /** Saves the conversation on the session within `tx`, keeping notes written meanwhile. */
  async save(tx: Transaction, sessionId: string, agent: AgentDefinition, owner: string, messages: ChatMessage[]) {
    const previous = (await tx.getSession(sessionId)) ?? emptySession(sessionId, agent.id, owner, null);
    tx.putSession({ ...previous, agent_id: agent.id, messages, updated_at: new Date().toISOString() });
  }
}
