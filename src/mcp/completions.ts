/**
 * Completions (`completion/complete`, SPEC §4): agent ids in prompt arguments, and the caller's own task ids in
 * `baton://tasks/{task_id}`.
 */
import type { AgentDefinition } from '../agents/definition.js';
import type { SessionContext } from './context.js';

/** MCP: a completion answers at most 100 values. */
const MAX_COMPLETIONS = 100;

/** The agents the caller may dispatch: never itself. */
export function dispatchable(ctx: SessionContext): AgentDefinition[] {
  return ctx.agents.list().filter((a) => a.id !== ctx.caller);
}

/** Agent ids starting with `value` (the last one of a comma-separated list is the one being typed). */
export function completeAgentIds(ctx: SessionContext, value: string): string[] {
  const typed = value.split(',');
  const last = (typed.pop() ?? '').trim();
  const before = typed.map((t) => t.trim()).filter(Boolean);
  const prefix = before.length > 0 ? `${before.join(',')},` : '';
  return dispatchable(ctx)
    .map((a) => a.id)
    .filter((id) => id.startsWith(last) && !before.includes(id))
    .slice(0, MAX_COMPLETIONS)
    .map((id) => prefix + id);
}

/** The caller's task ids (tasks it delegated or was assigned, newest first) starting with `value`. */
export async function completeTaskIds(ctx: SessionContext, value: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  // Pages of the caller's own tasks only: ids of other agents' tasks must not leak (SPEC §4).
  do {
    const page = await ctx.tasks.list(ctx.caller, { limit: 500, ...(cursor ? { cursor } : {}) });
    for (const t of page.tasks) if (t.id.startsWith(value)) ids.push(t.id);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && ids.length < MAX_COMPLETIONS);
  return ids.slice(0, MAX_COMPLETIONS);
}
