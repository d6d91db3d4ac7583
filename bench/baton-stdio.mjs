/**
 * Shared by the benchmarks that drive servers as a host does: the SDK's Client over StdioClientTransport, a temp
 * sandbox for a Baton child (working dir, HOME, an `echo` agent on the fake LLM, the store), and a checked tool call.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BENCH_DIR, ROOT_DIR, tempDir } from './util.mjs';

/** The CLI as shipped: package.json's `bin.baton` (the esbuild bundle). */
export const CLI_PATH = path.join(
  ROOT_DIR,
  JSON.parse(readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')).bin.baton,
);
export const MINIMAL_PATH = path.join(BENCH_DIR, 'minimal-server.mjs');

const CALL_TIMEOUT_MS = 30_000;

/** The benchmark agent: one model call, no tools used, a plain text answer. */
export const ECHO_AGENT = `---
name: echo
description: Answers with one short sentence. A benchmark agent for measuring what a dispatch costs.
model: openai:gpt-bench
---
You answer every task with one short sentence.
`;

/**
 * A temp working dir with `home/` (HOME, so the machine's own agents and config stay out), `agents/echo.md`, and
 * the environment for a Baton child: no BATON_* variables, the OpenAI provider pointed at `fakeBaseUrl`.
 */
export function batonSandbox(prefix, fakeBaseUrl) {
  const tmp = tempDir(prefix);
  const home = path.join(tmp.dir, 'home');
  const agents = path.join(tmp.dir, 'agents');
  mkdirSync(home);
  mkdirSync(agents);
  writeFileSync(path.join(agents, 'echo.md'), ECHO_AGENT);
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    USERPROFILE: home,
    OPENAI_API_KEY: 'x',
    OPENAI_BASE_URL: fakeBaseUrl,
  };
  return { tmp, home, agents, store: path.join(tmp.dir, 'store.json'), env };
}

/**
 * The CLI of another checkout with a built dist/ (BATON_BENCH_BASE, say a worktree of main), for benchmarks that
 * run a base build side by side with this one; null when unset or not built.
 */
export function baseCliPath() {
  const base = process.env.BATON_BENCH_BASE;
  if (!base) return null;
  const cli = path.join(
    path.resolve(base),
    JSON.parse(readFileSync(path.join(base, 'package.json'), 'utf8')).bin.baton,
  );
  return existsSync(cli) ? cli : null;
}

/**
 * The node arguments that start Baton over stdio in a sandbox (`cli`: another build's CLI);
 * `BATON_BENCH_CPU_PROF=<dir>` adds --cpu-prof.
 */
export function batonArgs(box, extra = [], cli = CLI_PATH) {
  const profDir = process.env.BATON_BENCH_CPU_PROF;
  return [
    ...(profDir ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(profDir)] : []),
    cli,
    '--store',
    box.store,
    '--agents',
    box.agents,
    ...extra,
  ];
}

/**
 * Connects an SDK Client over stdio to `node <args>` and lists the tools, as a host does (the client then knows
 * their output schemas). The child's stderr is kept, the last 4 kB, for error messages.
 */
export async function connectStdio(args, { cwd, env, clientName = 'baton-bench' } = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args,
    ...(cwd ? { cwd } : {}),
    env: env ?? { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const client = new Client({ name: clientName, version: '0.0.0' });
  await client.connect(transport);
  await client.listTools();
  return {
    client,
    pid: transport.pid,
    stderr: () => stderr,
    /** Closes stdin; the SDK waits for the child to exit (then signals it). */
    async close() {
      await client.close().catch(() => undefined);
    },
  };
}

/** Calls a tool and throws unless it answered without isError. */
export async function callOk(conn, name, args) {
  const result = await conn.client.callTool({ name, arguments: args }, undefined, { timeout: CALL_TIMEOUT_MS });
  if (result.isError) {
    const text = result.content?.map((c) => c.text ?? '').join(' ') ?? '';
    const stderr = conn.stderr().trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${name} failed: ${text}${stderr ? `; server stderr: ${stderr}` : ''}`);
  }
  return result;
}

let clockTicks = null;

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux; null elsewhere). 10 ms resolution. */
export function cpuTimeMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return null;
  }
}
