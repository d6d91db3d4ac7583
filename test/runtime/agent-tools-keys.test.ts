/** Notes keyed by names an agent chooses (issue 7, item 10): Object.prototype's names are notes like any other. */
import { describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../../src/agents/definition.js';
import { InputError } from '../../src/errors.js';
import { buildAgentTools } from '../../src/runtime/agent-tools.js';
import type { AgentToolContext } from '../../src/runtime/agent-tools.js';

function notesTools(notes: Record<string, string>) {
  const agent = { id: 'keeper', tool_scope: 'restricted' } as AgentDefinition;
  const remembered: Array<[string, string]> = [];
  const ctx = {
    agent,
    task: { id: 't1' },
    notes: { read: () => notes, remember: async (key: string, value: string) => void remembered.push([key, value]) },
    // Only the notes tools, as a plan would give them.
    catalog: { plan: () => ({ baton: ['remember', 'recall'], workspace: [], mcp: [] }) },
  } as unknown as AgentToolContext;
  const run = async (name: string, args: Record<string, unknown>) => {
    const tools = (await buildAgentTools(ctx))();
    return String(await tools.find((t) => t.spec.name === name)!.execute(args, new AbortController().signal));
  };
  return { run, remembered };
}

describe('remember / recall with keys that are names on Object.prototype', () => {
  it.each(['constructor', 'toString', '__proto__'])('recalls %j as no note when none was kept', async (key) => {
    const { run } = notesTools({ other: 'x' });
    expect(JSON.parse(await run('recall', { key }))).toEqual({ [key]: null });
  });

  it('recalls a note named "constructor" that was kept', async () => {
    const { run } = notesTools({ constructor: 'kept' });
    expect(JSON.parse(await run('recall', { key: 'constructor' }))).toEqual({ constructor: 'kept' });
  });

  it('refuses "__proto__" as a note name, which the store could not keep', async () => {
    const { run, remembered } = notesTools({});
    await expect(run('remember', { key: '__proto__', value: 'x' })).rejects.toThrow(InputError);
    await expect(run('remember', { key: '__proto__', value: 'x' })).rejects.toThrow(
      /invalid arguments for remember: key: reserved: "__proto__" cannot name a note/,
    );
    expect(remembered).toEqual([]);
    await run('remember', { key: 'constructor', value: 'fine' });
    expect(remembered).toEqual([['constructor', 'fine']]);
  });
});
