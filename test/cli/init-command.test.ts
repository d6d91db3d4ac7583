/**
 * `baton init` against existing config files of all four hosts (issue 12, item 2): the entry is merged in with the
 * other servers and keys kept, the original is backed up beside it, a file that is not valid JSON is refused
 * untouched, and the example agents are copied without overwriting. Paths, platform and environment are injected;
 * the last test runs the built CLI and then launches the entry it wrote, as a host would.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claudeDesktopConfigFile } from '../../src/cli/host-configs.js';
import type { Host } from '../../src/cli/host-configs.js';
import { runInit } from '../../src/cli/init-command.js';
import type { InitEnvironment } from '../../src/cli/init-command.js';
import { CLI, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/core.js';

const BUNDLED = fileURLToPath(new URL('../../agents/', import.meta.url));
const EXAMPLES = ['coder.md', 'planner.md', 'researcher.md', 'reviewer.md', 'summarizer.md'];

describe('baton init', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let home: string;
  let project: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('baton-init-'));
    home = path.join(dir, 'home');
    project = path.join(dir, 'project');
    await mkdir(home, { recursive: true });
    await mkdir(project, { recursive: true });
  });
  afterEach(async () => {
    await cleanup();
  });

  const machine = (env: Record<string, string> = {}, platform: NodeJS.Platform = 'linux'): InitEnvironment => ({
    platform,
    home,
    cwd: project,
    env,
    node: '/usr/bin/node',
    cli: '/opt/baton/dist/bin/cli.js',
    bundledDir: BUNDLED,
  });
  const agentsDir = () => path.join(project, '.claude', 'agents');
  const args = (host: Host) => ['/opt/baton/dist/bin/cli.js', '--as', host, '--agents', agentsDir()];
  const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const write = async (file: string, text: string) => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  };

  it('merges into an existing Claude Desktop config: other servers and keys kept, a backup beside it', async () => {
    const file = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
    const original = JSON.stringify(
      {
        globalShortcut: 'Ctrl+Space',
        mcpServers: { files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] } },
      },
      null,
      4,
    );
    await write(file, original);
    const out = await runInit(
      { host: 'claude-desktop', model: 'anthropic:claude-sonnet-4-5' },
      machine({ ANTHROPIC_API_KEY: 'sk-ant-api03-realkey' }),
    );
    expect(await readJson(file)).toEqual({
      globalShortcut: 'Ctrl+Space',
      mcpServers: {
        files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
        baton: {
          command: '/usr/bin/node',
          args: args('claude-desktop'),
          env: { BATON_MODEL: 'anthropic:claude-sonnet-4-5', ANTHROPIC_API_KEY: 'sk-ant-api03-realkey' },
        },
      },
    });
    // The rest of the text is left as it was written (4-space indent here).
    expect(await readFile(file, 'utf8')).toContain('    "globalShortcut": "Ctrl+Space"');
    expect(await readFile(`${file}.bak`, 'utf8')).toBe(original);
    expect(out).toContain(`Added the "baton" server in ${file}; kept the other 1 server`);
    expect(out).toContain(`the file as it was: ${file}.bak`);
    expect(out).toContain('ANTHROPIC_API_KEY: copied from your environment into the file');
    expect(out).toMatch(/^Next: quit and reopen Claude Desktop/m);
    expect((await readdir(agentsDir())).sort()).toEqual(EXAMPLES);
  });

  it('writes a placeholder for a key that is not set and says so', async () => {
    await runInit({ host: 'claude-desktop', model: 'sonnet' }, machine());
    const file = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
    expect(await readJson(file)).toMatchObject({
      mcpServers: { baton: { env: { ANTHROPIC_API_KEY: '<your ANTHROPIC_API_KEY>', BATON_MODEL: 'sonnet' } } },
    });
  });

  it.each([
    ['darwin', { HOME: '' }, '/h/Library/Application Support/Claude/claude_desktop_config.json'],
    [
      'win32',
      { APPDATA: 'C:\\Users\\me\\AppData\\Roaming' },
      'C:\\Users\\me\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
    ],
    ['linux', { XDG_CONFIG_HOME: '/h/.xdg' }, '/h/.xdg/Claude/claude_desktop_config.json'],
    ['linux', {}, '/h/.config/Claude/claude_desktop_config.json'],
  ] as const)('finds the Claude Desktop config on %s (%j)', (platform, env, file) => {
    expect(claudeDesktopConfigFile({ platform, home: '/h', env })).toBe(file);
  });

  it('merges into a Claude Code project .mcp.json with the key read from the environment, never written', async () => {
    const file = path.join(project, '.mcp.json');
    await write(file, JSON.stringify({ mcpServers: { db: { type: 'http', url: 'http://127.0.0.1:9000/mcp' } } }));
    const out = await runInit(
      { host: 'claude-code', model: 'openai:llama3.1' },
      machine({ OPENAI_API_KEY: 'sk-secret', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }),
    );
    expect(await readJson(file)).toEqual({
      mcpServers: {
        db: { type: 'http', url: 'http://127.0.0.1:9000/mcp' },
        baton: {
          type: 'stdio',
          command: '/usr/bin/node',
          args: args('claude-code'),
          env: {
            BATON_MODEL: 'openai:llama3.1',
            OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
            OPENAI_API_KEY: '${OPENAI_API_KEY:-}',
          },
        },
      },
    });
    expect(await readFile(file, 'utf8')).not.toContain('sk-secret');
    expect(out).toMatch(/^Next: run claude in .* and approve the project server "baton"/m);
  });

  it('merges into a VS Code mcp.json with comments: servers, an input for the key, the comments kept', async () => {
    const file = path.join(project, '.vscode', 'mcp.json');
    const original = [
      '{',
      '  // Shared with the team.',
      '  "inputs": [{ "type": "promptString", "id": "gh_token", "description": "GitHub token", "password": true }],',
      '  "servers": {',
      '    "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" }, // remote',
      '  },',
      '}',
      '',
    ].join('\n');
    await write(file, original);
    await runInit({ host: 'vscode', model: 'anthropic:claude-sonnet-4-5' }, machine());
    const text = await readFile(file, 'utf8');
    expect(text).toContain('// Shared with the team.');
    expect(text).toContain('// remote');
    const { parse } = await import('jsonc-parser');
    expect(parse(text)).toEqual({
      inputs: [
        { type: 'promptString', id: 'gh_token', description: 'GitHub token', password: true },
        {
          type: 'promptString',
          id: 'baton_anthropic_api_key',
          description: "ANTHROPIC_API_KEY for Baton's subagents",
          password: true,
        },
      ],
      servers: {
        github: { type: 'http', url: 'https://api.githubcopilot.com/mcp/' },
        baton: {
          type: 'stdio',
          command: '/usr/bin/node',
          args: args('vscode'),
          env: { BATON_MODEL: 'anthropic:claude-sonnet-4-5', ANTHROPIC_API_KEY: '${input:baton_anthropic_api_key}' },
        },
      },
    });
    expect(await readFile(`${file}.bak`, 'utf8')).toBe(original);

    // Run again: the entry is replaced, the input not added twice, and the first backup kept.
    const again = await runInit({ host: 'vscode', model: 'anthropic:claude-sonnet-4-5' }, machine());
    expect(again).toContain(`Replaced the "baton" server in ${file}; kept the other 1 server`);
    expect(again).toContain(`the file as it was: ${file}.bak.2`);
    expect((parse(await readFile(file, 'utf8')) as { inputs: unknown[] }).inputs).toHaveLength(2);
    expect(await readFile(`${file}.bak`, 'utf8')).toBe(original);
  });

  it('merges into a Cursor project mcp.json with ${env:…} for the key', async () => {
    const file = path.join(project, '.cursor', 'mcp.json');
    await write(file, '{"mcpServers":{"time":{"command":"uvx","args":["mcp-server-time"]}},"other":true}');
    await runInit({ host: 'cursor', model: 'anthropic:claude-haiku-4-5' }, machine());
    expect(await readJson(file)).toEqual({
      mcpServers: {
        time: { command: 'uvx', args: ['mcp-server-time'] },
        baton: {
          command: '/usr/bin/node',
          args: args('cursor'),
          env: { BATON_MODEL: 'anthropic:claude-haiku-4-5', ANTHROPIC_API_KEY: '${env:ANTHROPIC_API_KEY}' },
        },
      },
      other: true,
    });
  });

  it.each([
    ['claude-desktop', () => path.join(home, '.config', 'Claude', 'claude_desktop_config.json')],
    ['claude-code', () => path.join(project, '.mcp.json')],
    ['vscode', () => path.join(project, '.vscode', 'mcp.json')],
    ['cursor', () => path.join(project, '.cursor', 'mcp.json')],
  ] as const)('refuses a %s config that is not valid JSON, touching nothing', async (host, fileOf) => {
    const file = fileOf();
    const broken = '{ "mcpServers": { "files": { "command": "npx", } '; // cut short
    await write(file, broken);
    await expect(runInit({ host, model: 'sonnet' }, machine())).rejects.toThrow(
      new RegExp(
        `^${file.replace(/[.\\]/g, '\\$&')} is not valid JSON \\(\\w+ at line 1, column \\d+\\); left it untouched`,
      ),
    );
    expect(await readFile(file, 'utf8')).toBe(broken);
    expect(await readdir(path.dirname(file))).toEqual([path.basename(file)]);
    // Nothing else was written either.
    await expect(readdir(agentsDir())).rejects.toThrow(/ENOENT/);
  });

  it('refuses a file whose server list is not an object', async () => {
    const file = path.join(project, '.mcp.json');
    await write(file, '{"mcpServers": []}');
    await expect(runInit({ host: 'claude-code', model: 'sonnet' }, machine())).rejects.toThrow(
      `${file}: "mcpServers" is not a JSON object; left the file untouched`,
    );
    expect(await readFile(file, 'utf8')).toBe('{"mcpServers": []}');
  });

  it('creates a config file that does not exist yet, without a backup', async () => {
    const out = await runInit({ host: 'cursor', model: 'sonnet' }, machine());
    expect(out).toContain(`Created ${path.join(project, '.cursor', 'mcp.json')} with the "baton" server`);
    expect(out).not.toContain('the file as it was');
    expect(await readdir(path.join(project, '.cursor'))).toEqual(['mcp.json']);
  });

  it('keeps agent files that are already there and writes the others', async () => {
    await write(path.join(agentsDir(), 'researcher.md'), 'my own researcher');
    const out = await runInit({ host: 'cursor', model: 'sonnet' }, machine());
    expect(out).toContain(
      `Example agents in ${agentsDir()}: wrote coder.md, planner.md, reviewer.md, summarizer.md; kept your researcher.md`,
    );
    expect(await readFile(path.join(agentsDir(), 'researcher.md'), 'utf8')).toBe('my own researcher');
  });

  it('prints every host with its file and entry without --host, and changes no config file', async () => {
    const out = await runInit({ agents: 'team-agents' }, machine({}, 'darwin'));
    expect(out).toContain(`claude-desktop: ${path.join(home, 'Library', 'Application Support', 'Claude')}`);
    for (const host of ['claude-code', 'vscode', 'cursor']) expect(out).toMatch(new RegExp(`^${host}: `, 'm'));
    expect(out).toContain('"BATON_MODEL": "anthropic:claude-sonnet-4-5"');
    expect(out).toContain('"ANTHROPIC_API_KEY": "${input:baton_anthropic_api_key}"');
    expect(out).toMatch(/^Next: baton init --host <claude-desktop\|claude-code\|vscode\|cursor>/m);
    expect((await readdir(path.join(project, 'team-agents'))).sort()).toEqual(EXAMPLES);
    expect((await readdir(project)).sort()).toEqual(['team-agents']);
  });

  it("warns when the Baton it writes into the entry runs from npx's cache", async () => {
    const cli = path.join(home, '.npm', '_npx', 'abc123', 'node_modules', 'baton-mcp', 'dist', 'bin', 'cli.js');
    const out = await runInit({ host: 'cursor', model: 'sonnet' }, { ...machine(), cli });
    expect(out).toContain(`${cli} is in npx's cache: install Baton (npm install -g) and run init again to keep it`);
    expect(await runInit({ host: 'cursor', model: 'sonnet' }, machine())).not.toContain("npx's cache");
  });

  it('refuses a model that names no provider before writing anything', async () => {
    await expect(runInit({ host: 'cursor', model: 'llama' }, machine())).rejects.toThrow(
      /^invalid --model: unknown model 'llama'/,
    );
    expect(await readdir(project)).toEqual([]);
  });

  it('writes an entry that launches this Baton: the built CLI, run as a host would run it', async () => {
    const run = await runCli(['init', '--host', 'claude-desktop', '--model', 'openai:gpt-x'], {
      cwd: project,
      env: { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), OPENAI_API_KEY: 'sk-test' },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const file = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
    expect(run.stdout).toContain(`Created ${file} with the "baton" server`);
    const entry = (
      (await readJson(file)).mcpServers as Record<
        string,
        { command: string; args: string[]; env: Record<string, string> }
      >
    ).baton!;
    expect(entry.command).toBe(process.execPath);
    expect(entry.args[0]).toBe(CLI);

    // Launch it as Claude Desktop would: its command, args and env, in some other working directory.
    const transport = new StdioClientTransport({
      command: entry.command,
      args: [...entry.args, '--store', path.join(dir, 'store.json')],
      env: { ...entry.env, HOME: home },
      cwd: dir,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'claude-desktop', version: '1.0.0' });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'list_agents', arguments: {} });
      const { agents } = result.structuredContent as { agents: Array<{ id: string; model: string; usable: boolean }> };
      expect(agents.map((a) => a.id).sort()).toEqual(EXAMPLES.map((f) => f.replace('.md', '')));
      expect(agents.every((a) => a.model === 'openai:gpt-x' && a.usable)).toBe(true);
    } finally {
      await client.close();
    }
  });
});
