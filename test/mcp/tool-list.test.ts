import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import { describe, expect, it } from 'vitest';
import { writeAgent } from '../helpers/agents.js';
import { useSandbox } from '../helpers/sandbox.js';

const encoder = new Tiktoken(cl100k);
/** cl100k tokens of the compact JSON, as bench/tool-list-tokens.mjs counts them. */
const tokensOf = (value: unknown) => encoder.encode(JSON.stringify(value)).length;

/**
 * What a model sees, as bench/tool-list-tokens.mjs counts it: MCP Apps (@modelcontextprotocol/ext-apps,
 * `McpUiToolMeta.visibility`) has hosts keep a tool whose visibility leaves out "model" (`["app"]`) from the model.
 */
const modelTools = (tools: Tool[]) =>
  tools.filter((t) => {
    const visibility = (t._meta?.ui as { visibility?: unknown } | undefined)?.visibility;
    return !Array.isArray(visibility) || visibility.includes('model');
  });

type Node = { [key: string]: unknown };

/** Every schema node of a tool's input and output schemas, with its path. */
function nodes(tool: Tool): Array<{ at: string; node: Node }> {
  const found: Array<{ at: string; node: Node }> = [];
  const walk = (value: unknown, at: string) => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${at}[${i}]`));
    found.push({ at, node: value as Node });
    for (const [key, child] of Object.entries(value)) {
      if (key === 'enum' || key === 'required') continue;
      // `properties` maps names to schemas: walk its values, not the map itself as a schema.
      if (key === 'properties') for (const [k, v] of Object.entries(child as Node)) walk(v, `${at}.properties.${k}`);
      else walk(child, `${at}.${key}`);
    }
  };
  walk(tool.inputSchema, `${tool.name}.inputSchema`);
  if (tool.outputSchema) walk(tool.outputSchema, `${tool.name}.outputSchema`);
  return found;
}

const VALIDATION = ['type', 'anyOf', 'oneOf', 'allOf', 'enum', 'const', 'not', '$ref'];

/** The 20 agents of the benchmark (bench/fixtures/agents-20.json), all on a model with a key. */
async function twentyAgents(dir: string): Promise<void> {
  const file = path.join(import.meta.dirname, '..', '..', 'bench', 'fixtures', 'agents-20.json');
  const agents = JSON.parse(await readFile(file, 'utf8')) as Array<{ id: string; description: string; model: string }>;
  for (const a of agents) await writeAgent(dir, a.id, { description: a.description, model: a.model });
}

describe('tools/list', () => {
  const sandbox = useSandbox();

  async function listed(tools: string[] | null = null): Promise<Tool[]> {
    await twentyAgents(sandbox.agentsDir);
    const core = await sandbox.start({ env: { OPENAI_API_KEY: 'sk-test' }, tools });
    const host = await core.connect('host');
    return (await host.client.listTools()).tools;
  }

  it('publishes schemas every client reads: no $schema, every field typed, nullable fields as anyOf', async () => {
    const tools = await listed();
    expect(tools.length).toBe(13);
    const problems: string[] = [];
    for (const tool of tools) {
      for (const { at, node } of nodes(tool)) {
        if ('$schema' in node) problems.push(`${at}: $schema`);
        if (Array.isArray(node.type)) problems.push(`${at}: type array ${JSON.stringify(node.type)}`);
        // A schema with no validation keyword accepts anything: the Inspector's "carries no validation keyword".
        if (!VALIDATION.some((k) => k in node)) problems.push(`${at}: untyped ${JSON.stringify(node)}`);
      }
    }
    expect(problems).toEqual([]);
    // payload, progress data and results are any JSON value, said in types.
    const delegate = tools.find((t) => t.name === 'delegate_task')!;
    const payload = (delegate.inputSchema.properties as Record<string, Node>).payload!;
    expect((payload.anyOf as Node[]).map((b) => b.type)).toEqual([
      'string',
      'number',
      'boolean',
      'object',
      'array',
      'null',
    ]);
    const delegated = delegate.outputSchema!.properties as Record<string, Node>;
    expect(delegated.deadline).toEqual({ anyOf: [{ type: 'string' }, { type: 'null' }] });
    // Records inside an answer are named by their fields.
    const getTask = tools.find((t) => t.name === 'get_task')!;
    const task = (getTask.outputSchema!.properties as Record<string, Node>).task!;
    expect(task.type).toBe('object');
    expect(task.description).toMatch(/^Fields: id, kind, delegated_by, assignee_id, description, payload\?, status,/);
  });

  it('fits in 1,500 cl100k tokens with --tools dispatch and 20 agents (SPEC §11)', async () => {
    const tools = await listed(['dispatch']);
    expect(tools.map((t) => t.name).sort()).toEqual(['list_agents', 'subagent_dispatch']);
    const dispatch = tools.find((t) => t.name === 'subagent_dispatch')!;
    expect((dispatch.inputSchema.properties as Record<string, { enum?: string[] }>).agent_id!.enum).toHaveLength(20);
    // 20 agents share the description budget: 70 characters each (240 when there are 5 or fewer), cut at a word.
    expect(dispatch.description).toContain(
      '<agent id="researcher">Finds and summarises sources on a question: searches, reads and…</agent>',
    );
    expect(tokensOf(modelTools(tools))).toBeLessThanOrEqual(1500);
  });

  it('fits in 4,000 cl100k tokens with every tool and 20 agents (SPEC §11)', async () => {
    // 6,883 before issue 12, 4,625 with usage and budgets, 3,841 since (bench/tool-list-tokens.mjs).
    const tools = await listed();
    expect(modelTools(tools)).toHaveLength(13);
    expect(tokensOf(modelTools(tools))).toBeLessThanOrEqual(4000);
  });

  it('counts what a model sees: a tool for an MCP App only is left out', () => {
    const tool = (name: string, visibility?: string[]): Tool => ({
      name,
      inputSchema: { type: 'object' },
      ...(visibility ? { _meta: { ui: { visibility } } } : {}),
    });
    const tools = [tool('a'), tool('b', ['model', 'app']), tool('c', ['app']), tool('d', ['model'])];
    expect(modelTools(tools).map((t) => t.name)).toEqual(['a', 'b', 'd']);
  });

  it('still accepts calls the published schema shows: a dispatch answers with what the output schema says', async () => {
    const fake = await sandbox.fakeOpenAi([{ text: 'done' }]);
    await writeAgent(sandbox.agentsDir, 'coder', { model: 'openai:gpt-test' });
    const core = await sandbox.start();
    const host = await core.connect('host');
    // The SDK client validates structuredContent against the published output schema it listed.
    await host.client.listTools();
    const out = await host.ok<{ result: string; status: string }>('subagent_dispatch', {
      agent_id: 'coder',
      task: 'Go.',
    });
    expect(out).toMatchObject({ result: 'done', status: 'completed' });
    expect(fake.requests).toHaveLength(1);
  });

  it('leaves agents that cannot run out of the dispatch enum and description; a call to one says why', async () => {
    await writeAgent(sandbox.agentsDir, 'coder', { model: 'openai:gpt-test', description: 'Writes code.' });
    await writeAgent(sandbox.agentsDir, 'writer', { model: 'anthropic:claude-test', description: 'Writes prose.' });
    await writeAgent(sandbox.agentsDir, 'thinker', { description: 'Thinks on the client model.' });
    {
      const core = await sandbox.start({ env: { OPENAI_API_KEY: 'sk-test' } });
      const plain = await core.connect('host');
      const tool = (await plain.client.listTools()).tools.find((t) => t.name === 'subagent_dispatch')!;
      const agentId = (tool.inputSchema.properties as Record<string, { enum?: string[] }>).agent_id!;
      expect(agentId.enum).toEqual(['coder']);
      expect(tool.description).toContain('<agent id="coder">');
      expect(tool.description).not.toContain('writer');
      expect(await plain.err('subagent_dispatch', { agent_id: 'writer', task: 'Go.' })).toMatch(/ANTHROPIC_API_KEY/);

      // A client that offers sampling can run the agent without a model: it is offered to that client.
      const sampling = await core.connect('host', {
        sampling: () => ({ role: 'assistant', content: { type: 'text', text: 'x' }, model: 'm' }),
      });
      const offered = (await sampling.client.listTools()).tools.find((t) => t.name === 'subagent_dispatch')!;
      expect((offered.inputSchema.properties as Record<string, { enum?: string[] }>).agent_id!.enum).toEqual([
        'coder',
        'thinker',
      ]);
    }
  });
});
