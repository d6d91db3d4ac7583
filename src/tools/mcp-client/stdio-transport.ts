/**
 * The MCP stdio client transport, with the server in a process group of its own (src/tools/process-group.ts), so
 * closing it ends every process the server started (an `npx` wrapper and its node, a shell and its children). Close
 * follows the MCP lifecycle for stdio: end stdin, wait, then SIGTERM, then SIGKILL, to the whole group.
 */
import type { ChildProcess } from 'node:child_process';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { spawnInGroup, terminateGroup } from '../process-group.js';

/** Variables a server inherits besides its own `env` (the SDK's and Claude Desktop's list). */
const INHERITED_ENV = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER', 'TMPDIR', 'LANG'];

export interface GroupStdioOptions {
  command: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  cwd?: string | undefined;
  /** Called with each line the server writes to stderr (its log). */
  onStderr?: (line: string) => void;
  /** How long to wait after closing stdin before SIGTERM, and after SIGTERM before SIGKILL. Default 2000 ms. */
  graceMs?: number;
}

/** How the server process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class GroupStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Set once the process has exited. */
  exit: ExitInfo | null = null;
  private child: ChildProcess | undefined;
  private readonly buffer = new ReadBuffer();
  private closing = false;

  constructor(private readonly options: GroupStdioOptions) {}

  /** The server's process id (its group id too), once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    const inherited = Object.fromEntries(
      INHERITED_ENV.flatMap((key) => (process.env[key] !== undefined ? [[key, process.env[key]!]] : [])),
    );
    return new Promise((resolve, reject) => {
      const child = spawnInGroup(this.options.command, this.options.args, {
        env: { ...inherited, ...this.options.env },
        cwd: this.options.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      this.child = child;
      child.once('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.once('spawn', () => resolve());
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        // Whatever the server left running goes with it.
        if (child.pid !== undefined) void terminateGroup(child.pid, 0);
        this.onclose?.();
      });
      child.stdin?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('data', (chunk: Buffer) => {
        this.buffer.append(chunk);
        for (;;) {
          let message: JSONRPCMessage | null;
          try {
            message = this.buffer.readMessage();
          } catch (error) {
            this.onerror?.(error as Error);
            continue;
          }
          if (message === null) break;
          this.onmessage?.(message);
        }
      });
      let pending = '';
      child.stderr?.setEncoding('utf8').on('data', (text: string) => {
        const lines = (pending + text).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) this.options.onStderr?.(line);
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || this.exit) return reject(new Error('the MCP server process is not running'));
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** Ends stdin, then SIGTERM and SIGKILL to the group if the server does not exit by itself. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || this.closing) return;
    this.closing = true;
    const grace = this.options.graceMs ?? 2000;
    const exited = new Promise<void>((resolve) => (this.exit ? resolve() : child.once('exit', () => resolve())));
    child.stdin?.end();
    const timer = new Promise<void>((resolve) => setTimeout(resolve, grace).unref());
    await Promise.race([exited, timer]);
    // Still running: SIGTERM, then SIGKILL. Exited: end anything it left behind in its group.
    if (child.pid !== undefined) await terminateGroup(child.pid, grace);
    this.buffer.clear();
  }
}
