/**
 * Claude Code agent files as public collections write them (test/agents/fixtures/claude-code/, 21 files): which load,
 * what tools each gets in Baton, and which problems are reported. The configuration has one MCP server
 * (`filesystem`) and, unless said otherwise, no --allow.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AgentRegistry } from '../../src/agents/registry.js';
import { silentLogger } from '../../src/log.js';
import { AgentToolCatalog } from '../../src/runtime/tool-catalog.js';
import { RESTRICTED_TOOLS } from '../../src/runtime/tool-plan.js';
import { McpServerPool } from '../../src/tools/mcp-client/pool.js';
import { McpServersSchema } from '../../src/tools/mcp-client/server-config.js';
import type { WorkspacePermission } from '../../src/tools/workspace/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/claude-code/', import.meta.url));

const ALLOW = (tool: string, what: string, permission: string) =>
  `tools: ${tool} ${what}: offered only with the operator's --allow ${permission} (an agent file alone cannot grant it)`;
const WRITE = (tool: string) => ALLOW(tool, 'changes files', 'write');
const BASH = ALLOW('Bash', 'runs commands', 'bash');
const MISSING = (names: string, server: string) =>
  `tools: ${names}: no MCP server '${server}' is configured (mcpServers in baton.config.json, --mcp-config, or the agent's mcpServers:)`;
const CLAUDE_ONLY = (tool: string) =>
  `tools: ${tool} is a Claude Code tool Baton does not have; give the agent an MCP server that does it`;
const RESTRICTED = [...RESTRICTED_TOOLS];

async function load(permissions: WorkspacePermission[] = []) {
  const registry = new AgentRegistry({ folders: [FIXTURES], explicit: true });
  await registry.load();
  const pool = new McpServerPool({
    servers: McpServersSchema.parse({ filesystem: { command: 'mcp-server-filesystem', args: ['.'] } }),
    log: silentLogger,
  });
  const catalog = new AgentToolCatalog(new Set(permissions), pool, silentLogger);
  const plans = Object.fromEntries(registry.list().map((agent) => [agent.id, { agent, plan: catalog.plan(agent) }]));
  return { registry, plans };
}

describe('Claude Code agent files, unchanged', () => {
  it('loads 18 of the 21 files and reports why the other 3 cannot be used', async () => {
    const { registry } = await load();
    expect(registry.list()).toHaveLength(18);
    expect(registry.problems().map((p) => [path.basename(p.path), p.reason])).toEqual([
      [
        'Test Automator.md',
        "name: 'Test Automator' is not a valid id; an id is lowercase letters, digits and single hyphens (for example 'test-automator')",
      ],
      ['broken-yaml.md', expect.stringMatching(/^frontmatter: invalid YAML at line 4, column 1: /)],
      ['no-description.md', 'description: missing; expected a non-empty text saying when to use this agent'],
    ]);
  });

  it('gives each agent the tools its file lists that Baton has, and names every one it cannot have', async () => {
    const { plans } = await load();
    const table = Object.fromEntries(Object.entries(plans).map(([id, { plan }]) => [id, [plan.names, plan.problems]]));
    expect(table).toEqual({
      'code-reviewer': [['Read', 'Grep', 'Glob'], [BASH]],
      'data-scientist': [['Read'], [BASH, WRITE('Write'), CLAUDE_ONLY('NotebookEdit')]],
      debugger: [
        ['Read', 'Grep', 'Glob'],
        [WRITE('Edit'), BASH],
      ],
      'docs-reader': [['mcp__filesystem__read_text_file', 'mcp__filesystem__list_directory'], []],
      explorer: [['Glob', 'LS', 'Read'], []],
      generalist: [
        [
          ...RESTRICTED,
          'subagent_dispatch',
          'delegate_task',
          'wait_for_tasks',
          'merge',
          'list_tasks',
          'get_task',
          'Read',
          'Glob',
          'Grep',
          'LS',
          'mcp__filesystem__* except write_file',
        ],
        [],
      ],
      'git-helper': [
        ['Read', 'Grep'],
        ["tools: Bash(git:*): Claude Code's per-command rules are not supported; Bash is not offered for it"],
      ],
      'github-triager': [
        ['Read'],
        [MISSING('mcp__github__list_issues, mcp__github__create_issue, mcp__github__add_labels', 'github')],
      ],
      'local-linter': [
        ['Read'],
        [
          "mcpServers: linter: an agent's own server runs a program or reaches the network unreviewed; Baton starts it only with the operator's --allow bash",
        ],
      ],
      'memory-keeper': [[], ["mcpServers: 'memory' is not a configured MCP server (configured: filesystem)"]],
      orchestrator: [['subagent_dispatch', 'Read'], []],
      'platform-engineer': [
        ['Read', 'Glob', 'Grep'],
        [WRITE('Write'), WRITE('Edit'), BASH],
      ],
      'security-auditor': [['Read', 'Grep', 'Glob'], []],
      'task-runner': [[], ['tools: subagent_dispatch (Agent) needs tool_scope: shared; not offered']],
      'technical-writer': [RESTRICTED, []],
      'test-writer': [['Read', 'Grep', 'Glob', 'LS'], []],
      'todo-tracker': [['Read'], [CLAUDE_ONLY('TodoWrite'), WRITE('Edit')]],
      'web-researcher': [['Read'], [CLAUDE_ONLY('WebFetch'), CLAUDE_ONLY('WebSearch')]],
    });
  });

  it("keeps Claude Code's own fields: model aliases, colours, maxTurns", async () => {
    const { plans } = await load();
    expect(plans['code-reviewer']!.agent).toMatchObject({ model: 'sonnet', extra: { color: 'blue' } });
    expect(plans.explorer!.agent.model).toBe('fable');
    expect(plans['test-writer']!.agent.max_steps).toBe(12);
    expect(plans.debugger!.agent.description).toBe(
      'Debugging specialist for errors and test failures. Use when: a test fails, an exception is thrown, or behaviour is unexpected.',
    );
  });

  it('with --allow write,bash the same files get Write, Edit, Bash and their own servers', async () => {
    const { plans } = await load(['write', 'bash']);
    expect(plans['platform-engineer']!.plan).toMatchObject({
      names: ['Read', 'Write', 'Edit', 'Bash', 'Glob', 'Grep'],
      problems: [],
    });
    expect(plans['local-linter']!.plan).toMatchObject({ names: ['Read', 'mcp__linter__lint'], problems: [] });
    expect(plans['security-auditor']!.plan.names).toEqual(['Read', 'Grep', 'Glob']); // disallowedTools: Bash
    expect(plans['data-scientist']!.plan.problems).toEqual([CLAUDE_ONLY('NotebookEdit')]);
  });
});
