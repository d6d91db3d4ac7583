import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { useSandbox } from '../helpers/sandbox.js';
import { writeAgent } from '../helpers/agents.js';
import type { Core, TestClient } from '../helpers/core.js';
import { eventually } from '../helpers/core.js';

type AgentInfo = { id: string; model: string; usable: boolean; unusable_reason?: string; description: string };
type Listed = { agents: AgentInfo[]; problems: Array<{ path: string; reason: string }> };

/** What tools/list shows of subagent_dispatch: its description and the `agent_id` enum. */
async function dispatchTool(client: TestClient): Promise<{ description: string; ids: string[] | undefined }> {
  const { tools } = await client.client.listTools();
  const tool = tools.find((t) => t.name === 'subagent_dispatch');
  if (!tool) throw new Error('subagent_dispatch is not listed');
  const agentId = (tool.inputSchema.properties as Record<string, { enum?: string[] }>).agent_id;
  return { description: tool.description ?? '', ids: agentId?.enum };
}

/** The text of the first content of a resource read. */
function resourceText(read: ReadResourceResult): string {
  const first = read.contents[0];
  return first && 'text' in first ? first.text : '';
}

/** Counts `notifications/tools/list_changed` received by `client`. */
function countListChanged(client: TestClient): { count: number } {
  const counter = { count: 0 };
  client.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    counter.count++;
  });
  return counter;
}

describe('agents: list_agents, agent resources, hot reload', () => {
  const sandbox = useSandbox();
  let core: Core;
  const agentsDir = () => sandbox.agentsDir;

  it('lists each agent with its model and whether it is usable, and the problems of bad files', async () => {
    await sandbox.fakeOpenAi([{ text: 'still working' }]);
    await writeAgent(agentsDir(), 'coder', { model: 'openai:gpt-test', description: 'Writes code.' });
    await writeAgent(agentsDir(), 'writer', { model: 'anthropic:claude-test', description: 'Writes prose.' });
    await writeAgent(agentsDir(), 'thinker', { description: 'Thinks on the client model.' });
    await writeFile(path.join(agentsDir(), 'broken.md'), '---\nname: broken\ndescription: [unclosed\n---\nBody.\n');
    await writeFile(path.join(agentsDir(), 'vague.md'), '---\nname: vague\n---\nBody.\n');
    core = await sandbox.start();
    const host = await core.connect('host');

    const listed = await host.ok<Listed>('list_agents');

    expect(listed.agents.map((a) => a.id)).toEqual(['coder', 'thinker', 'writer']);
    const byId = Object.fromEntries(listed.agents.map((a) => [a.id, a]));
    expect(byId.coder).toMatchObject({ model: 'openai:gpt-test', usable: true, description: 'Writes code.' });
    expect(byId.coder!.unusable_reason).toBeUndefined();
    expect(byId.writer).toMatchObject({ model: 'anthropic:claude-test', usable: false });
    expect(byId.writer!.unusable_reason).toMatch(/ANTHROPIC_API_KEY/);
    expect(byId.thinker).toMatchObject({ model: 'sampling', usable: false });
    expect(byId.thinker!.unusable_reason).toMatch(/sampling/);

    const problems = Object.fromEntries(listed.problems.map((p) => [path.basename(p.path), p.reason]));
    expect(Object.keys(problems).sort()).toEqual(['broken.md', 'vague.md']);
    expect(problems['broken.md']).toMatch(/invalid YAML/);
    expect(problems['vague.md']).toMatch(/description: missing/);

    // The bad files did not stop anything: the good agents still run.
    const out = await host.ok<{ result: string }>('subagent_dispatch', { agent_id: 'coder', task: 'Go.' });
    expect(out.result).toBe('still working');
  });

  it('shows an agent without a model as usable to a client that offers sampling', async () => {
    await writeAgent(agentsDir(), 'thinker');
    core = await sandbox.start();
    const host = await core.connect('host', {
      sampling: () => ({ role: 'assistant', content: { type: 'text', text: 'x' }, model: 'm' }),
    });
    const listed = await host.ok<Listed>('list_agents');
    expect(listed.agents).toMatchObject([{ id: 'thinker', model: 'sampling', usable: true }]);
  });

  it('reads the agents back as resources baton://agents and baton://agents/{id}', async () => {
    await writeAgent(agentsDir(), 'coder', { model: 'openai:gpt-test', description: 'Writes code.', body: 'Code!' });
    await writeFile(path.join(agentsDir(), 'vague.md'), '---\nname: vague\n---\nBody.\n');
    core = await sandbox.start({ env: { OPENAI_API_KEY: 'sk-test' } });
    const host = await core.connect('host');

    const { resources } = await host.client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining(['baton://agents', 'baton://agents/coder']));

    const all = await host.client.readResource({ uri: 'baton://agents' });
    const listed = JSON.parse(resourceText(all)) as Listed;
    expect(listed.agents).toMatchObject([{ id: 'coder', model: 'openai:gpt-test', usable: true }]);
    expect(listed.problems).toMatchObject([{ path: path.join(agentsDir(), 'vague.md') }]);

    const one = await host.client.readResource({ uri: 'baton://agents/coder' });
    expect(one.contents[0]).toMatchObject({ uri: 'baton://agents/coder', mimeType: 'application/json' });
    expect(JSON.parse(resourceText(one))).toMatchObject({
      id: 'coder',
      description: 'Writes code.',
      usable: true,
      definition: { id: 'coder', model: 'openai:gpt-test', system_prompt: 'Code!' },
      problems: [],
    });
    await expect(host.client.readResource({ uri: 'baton://agents/nobody' })).rejects.toThrow(/agent not found/);
  });

  it('updates the dispatch tool when an agent file is added or removed, never offering the caller itself', async () => {
    // On a model with a key: agents that cannot run are not offered (test/mcp/tool-list.test.ts).
    await writeAgent(agentsDir(), 'reviewer', { description: 'Reviews changes.', model: 'openai:gpt-test' });
    core = await sandbox.start({ watch: true, env: { OPENAI_API_KEY: 'sk-test' } });
    const host = await core.connect('host');
    // An external agent that is also a defined agent: it is never offered itself.
    const reviewer = await core.connect('reviewer');
    const hostChanges = countListChanged(host);
    const reviewerChanges = countListChanged(reviewer);

    expect((await dispatchTool(host)).ids).toEqual(['reviewer']);
    const before = await dispatchTool(reviewer);
    expect(before.ids).toBeUndefined(); // nobody to dispatch: no enum
    expect(before.description).not.toMatch(/<agent id="reviewer">/);

    await writeAgent(agentsDir(), 'translator', { description: 'Translates text.', model: 'openai:gpt-test' });
    await eventually(() => hostChanges.count > 0 && reviewerChanges.count > 0, 2000, 'tools/list_changed');
    const added = await dispatchTool(host);
    expect(added.ids).toEqual(['reviewer', 'translator']);
    expect(added.description).toMatch(/<agent id="translator">Translates text\.<\/agent>/);
    const seenByReviewer = await dispatchTool(reviewer);
    expect(seenByReviewer.ids).toEqual(['translator']);
    expect(seenByReviewer.description).not.toMatch(/<agent id="reviewer">/);

    const seen = hostChanges.count;
    await rm(path.join(agentsDir(), 'translator.md'));
    await eventually(() => hostChanges.count > seen, 2000, 'tools/list_changed after the removal');
    expect((await dispatchTool(host)).ids).toEqual(['reviewer']);
    expect((await dispatchTool(host)).description).not.toMatch(/translator/);
    expect((await dispatchTool(reviewer)).ids).toBeUndefined();
    // list_agents follows too.
    expect((await host.ok<Listed>('list_agents')).agents.map((a) => a.id)).toEqual(['reviewer']);
  });

  it('never serves a definition over 256 KiB: baton://agents/{id} has the same cap as the folder reader', async () => {
    await writeAgent(agentsDir(), 'small', { description: 'Fits.' });
    const huge = await writeAgent(agentsDir(), 'huge', { description: 'Does not fit.', body: 'x'.repeat(300 * 1024) });
    core = await sandbox.start();
    const host = await core.connect('host');

    await expect(host.client.readResource({ uri: 'baton://agents/huge' })).rejects.toThrow(/agent not found: huge/);
    const listed = JSON.parse(resourceText(await host.client.readResource({ uri: 'baton://agents' }))) as Listed;
    expect(listed.agents.map((a) => a.id)).toEqual(['small']);
    expect(listed.problems).toEqual([
      { path: huge, reason: expect.stringMatching(/^the file is \d+ bytes; the limit is 262144 \(256 KiB\)$/) },
    ]);
  });
});
