/**
 * The npm package (issue 12, item 1): `npm pack` ships exactly what the CLI needs, and the tarball installed into a
 * temporary global prefix gives a `baton` that starts, answers MCP over stdio, finds its bundled agents and runs a
 * subagent through the vendor SDK it installed (the SDKs are the only dependencies; everything else is bundled).
 * The install reads the npm cache that `npm ci` filled (--prefer-offline).
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { tempDir } from '../helpers/core.js';
import { startFakeOpenAi } from '../providers/fakes/fake-openai-server.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The environment without npm's own npm_* variables (a test run under `npm test` has them). */
function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, ...extra };
}

describe('the npm package', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let tarball: string;
  let packed: string[];

  beforeAll(async () => {
    tmp = await tempDir('baton-package-');
    // The build is already there (npm test builds first): no scripts, so nothing rebuilds under running tests.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp.dir], {
      cwd: ROOT,
      env: plainEnv(),
    });
    const [info] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = path.join(tmp.dir, info!.filename);
    packed = info!.files.map((f) => f.path).sort();
  }, 60_000);
  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('packs the bundle, the board page, the bundled agents, README, LICENSE and package.json, and nothing else', async () => {
    const agents = (await readdir(path.join(ROOT, 'agents'))).filter((f) => f.endsWith('.md'));
    const bundle = await readdir(path.join(ROOT, 'dist', 'bin'));
    expect(bundle).toContain('cli.js');
    const board = await readdir(path.join(ROOT, 'dist', 'board'));
    expect(board.sort()).toEqual(['app.html', 'app.json', 'board.html', 'board.json']);
    expect(packed).toEqual(
      [
        'LICENSE',
        'README.md',
        'package.json',
        ...agents.map((f) => `agents/${f}`),
        ...bundle.map((f) => `dist/bin/${f}`),
        ...board.map((f) => `dist/board/${f}`),
      ].sort(),
    );
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
      dependencies: Record<string, string>;
    };
    // The bundle loads only the vendor SDKs from node_modules (lazily); VERSION is what initialize reports.
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@anthropic-ai/sdk', 'openai']);
    expect(VERSION).toBe(pkg.version);
  });

  it('installs into a temporary global prefix, and the installed baton serves MCP and runs a subagent', async () => {
    const prefix = path.join(tmp.dir, 'prefix');
    await run(
      'npm',
      ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball],
      { cwd: tmp.dir, env: plainEnv(), timeout: 150_000 },
    );
    const baton = path.join(prefix, 'bin', 'baton');
    const home = path.join(tmp.dir, 'home');
    const env = plainEnv({ HOME: home });
    for (const key of Object.keys(env)) if (key.startsWith('BATON_')) delete env[key];

    expect((await run(baton, ['--version'], { cwd: tmp.dir, env })).stdout).toBe(`${VERSION}\n`);

    // As a host launches it: MCP over stdio.
    const transport = new StdioClientTransport({
      command: baton,
      args: ['--store', path.join(tmp.dir, 'store.json')],
      env: { HOME: home, PATH: process.env.PATH ?? '' },
      // Not the repository: its ./agents would be found instead of the installed package's bundled ones.
      cwd: tmp.dir,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'package-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()).toMatchObject({ version: VERSION });
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('subagent_dispatch');
      const listed = await client.callTool({ name: 'list_agents', arguments: {} });
      const { agents } = listed.structuredContent as { agents: Array<{ id: string; path: string }> };
      expect(agents.map((a) => a.id)).toContain('researcher');
      expect(agents[0]!.path.startsWith(path.join(prefix, 'lib', 'node_modules', 'baton-mcp', 'agents'))).toBe(true);
    } finally {
      await client.close();
    }

    // The openai SDK comes from the package's own dependencies.
    const fake = await startFakeOpenAi([{ text: 'MCP sampling lets a server ask the client for a completion.' }]);
    try {
      const answer = await run(
        baton,
        [
          'dispatch',
          'researcher',
          'What is MCP sampling?',
          '--model',
          'openai:gpt-x',
          '--store',
          path.join(tmp.dir, 'store.json'),
        ],
        { cwd: tmp.dir, env: { ...env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseUrl } },
      );
      expect(answer.stdout).toBe('MCP sampling lets a server ask the client for a completion.\n');
    } finally {
      await fake.close();
    }
  }, 180_000);
});
