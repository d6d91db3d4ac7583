import { rm } from 'node:fs/promises';
import path from 'node:path';
import { PromptListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { writeAgent } from '../helpers/agents.js';
import { eventually } from '../helpers/core.js';
import { useSandbox } from '../helpers/sandbox.js';

describe('prompts and completions', () => {
  const sandbox = useSandbox();

  it('offers each agent as a prompt taking the task, and fan-out; never the caller itself', async () => {
    await writeAgent(sandbox.agentsDir, 'researcher', { description: 'Finds sources.' });
    await writeAgent(sandbox.agentsDir, 'coder', { description: 'Writes code.' });
    const core = await sandbox.start();
    const host = await core.connect('host');

    const { prompts } = await host.client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['coder', 'fan-out', 'researcher']);
    const researcher = prompts.find((p) => p.name === 'researcher')!;
    expect(researcher.description).toBe('Finds sources.');
    expect(researcher.arguments).toEqual([
      expect.objectContaining({ name: 'task', required: true }),
      expect.objectContaining({ name: 'context', required: false }),
    ]);

    const got = await host.client.getPrompt({
      name: 'researcher',
      arguments: { task: 'Compare MCP transports.', context: 'Only stdio and HTTP.' },
    });
    const text = got.messages[0]!.content.type === 'text' ? got.messages[0]!.content.text : '';
    expect(got.messages[0]!.role).toBe('user');
    expect(text).toContain('subagent_dispatch');
    expect(text).toContain('agent_id "researcher"');
    expect(text).toContain('Compare MCP transports.');
    expect(text).toContain('Only stdio and HTTP.');

    // An agent connected under its own id is not offered itself.
    const coder = await core.connect('coder');
    expect((await coder.client.listPrompts()).prompts.map((p) => p.name).sort()).toEqual(['fan-out', 'researcher']);
  });

  it('drafts a fan-out plan over the chosen agents: delegate in a group, wait, merge', async () => {
    await writeAgent(sandbox.agentsDir, 'researcher', { description: 'Finds sources.' });
    await writeAgent(sandbox.agentsDir, 'coder', { description: 'Writes code.' });
    await writeAgent(sandbox.agentsDir, 'writer', { description: 'Writes prose.' });
    const core = await sandbox.start();
    const host = await core.connect('host');

    const got = await host.client.getPrompt({
      name: 'fan-out',
      arguments: { goal: 'Ship the docs site.', agents: 'writer, coder' },
    });
    const text = got.messages[0]!.content.type === 'text' ? got.messages[0]!.content.text : '';
    expect(text).toContain('Goal: Ship the docs site.');
    const group = /group "([^"]+)"/.exec(text)?.[1];
    expect(group).toMatch(/^fan-out-/);
    for (const step of ['delegate_task', 'wait_for_tasks', 'merge']) expect(text).toContain(step);
    expect(text).toContain('- writer: Writes prose.');
    expect(text).toContain('- coder: Writes code.');
    expect(text).not.toContain('researcher');
  });

  it('completes agent ids in prompt arguments and the caller’s own task ids in baton://tasks/{task_id}', async () => {
    await writeAgent(sandbox.agentsDir, 'researcher');
    await writeAgent(sandbox.agentsDir, 'reviewer');
    await writeAgent(sandbox.agentsDir, 'coder');
    const core = await sandbox.start();
    const host = await core.connect('host');
    const bob = await core.connect('bob');
    const carol = await core.connect('carol');

    const agents = await host.client.complete({
      ref: { type: 'ref/prompt', name: 'fan-out' },
      argument: { name: 'agents', value: 're' },
    });
    expect(agents.completion.values.sort()).toEqual(['researcher', 'reviewer']);
    // The last id of a list is the one being typed; ids already listed are not offered again.
    const more = await host.client.complete({
      ref: { type: 'ref/prompt', name: 'fan-out' },
      argument: { name: 'agents', value: 'reviewer, r' },
    });
    expect(more.completion.values).toEqual(['reviewer,researcher']);

    const mine = await host.ok<{ task_id: string }>('delegate_task', { assignee_id: 'bob', description: 'Mine.' });
    const theirs = await carol.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'Not yours.',
    });
    const ref = { type: 'ref/resource' as const, uri: 'baton://tasks/{task_id}' };
    const all = await host.client.complete({ ref, argument: { name: 'task_id', value: '' } });
    expect(all.completion.values).toEqual([mine.task_id]);
    const prefixed = await host.client.complete({
      ref,
      argument: { name: 'task_id', value: mine.task_id.slice(0, 4) },
    });
    expect(prefixed.completion.values).toEqual([mine.task_id]);
    // The assignee sees both; nobody sees another's task.
    expect(
      (await bob.client.complete({ ref, argument: { name: 'task_id', value: '' } })).completion.values.sort(),
    ).toEqual([mine.task_id, theirs.task_id].sort());
  });

  it('follows the agent folders: an added or removed agent adds or removes its prompt (prompts/list_changed)', async () => {
    await writeAgent(sandbox.agentsDir, 'researcher');
    const core = await sandbox.start({ watch: true });
    const host = await core.connect('host');
    let changes = 0;
    host.client.setNotificationHandler(PromptListChangedNotificationSchema, () => {
      changes++;
    });

    await writeAgent(sandbox.agentsDir, 'translator', { description: 'Translates text.' });
    await eventually(() => changes > 0, 3000, 'prompts/list_changed');
    await eventually(
      async () => (await host.client.listPrompts()).prompts.some((p) => p.name === 'translator'),
      3000,
      'translator prompt',
    );
    await rm(path.join(sandbox.agentsDir, 'translator.md'));
    await eventually(
      async () => !(await host.client.listPrompts()).prompts.some((p) => p.name === 'translator'),
      3000,
      'translator prompt removed',
    );
  });
});
