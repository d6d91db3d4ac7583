/**
 * Which client's model a run may use through MCP sampling: the dispatching client's (by session, inherited by
 * nested dispatches), else a connected session of the task's delegator in this process.
 */
import type { CreateMessage } from '../providers/sampling.js';

export class Samplers {
  private readonly bySession = new Map<string, CreateMessage>();

  /** @param ofAgent a connected client of that agent that offers sampling */
  constructor(private readonly ofAgent: (agentId: string) => CreateMessage | undefined = () => undefined) {}

  set(sessionId: string, sampler: CreateMessage): void {
    this.bySession.set(sessionId, sampler);
  }

  /** The sampling function a run of this session uses (the provider registry asks for it). */
  forSession(sessionId: string): CreateMessage | undefined {
    return this.bySession.get(sessionId);
  }

  /** The session's sampler, or one of the delegator's clients (remembered for the session). */
  find(sessionId: string, delegator: string): CreateMessage | undefined {
    const found = this.bySession.get(sessionId) ?? this.ofAgent(delegator);
    if (found) this.bySession.set(sessionId, found);
    return found;
  }

  /** Whether a run of this session could sample now, without remembering anything. */
  available(sessionId: string | null, delegator: string): boolean {
    return (sessionId !== null && this.bySession.has(sessionId)) || this.ofAgent(delegator) !== undefined;
  }

  /** The sampler holds its client's connection: keep it no longer than the session's run. */
  forget(sessionId: string): void {
    this.bySession.delete(sessionId);
  }
}
