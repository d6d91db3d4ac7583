/**
 * A test-only HTTP server that serves the built board (dist/board) and speaks the board contract with scripted
 * tasks: the JSON endpoints, the event stream with Last-Event-ID replay, tokens, CSRF-checked actions, and, for
 * the MCP App page, a host page whose bridge forwards tool calls here. It proves the page before the real server
 * exists (issue 13 part B replaces it with Baton itself); it is never part of Baton.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { WireTask } from './fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(root, 'dist', 'board');
const TERMINAL = new Set(['completed', 'failed', 'timed_out', 'cancelled']);

export interface ScriptedBoardOptions {
  tasks?: WireTask[];
  /** token → agent; without, every request acts as `viewer`. */
  tokens?: Record<string, string>;
  /** Tokens that see every task. */
  adminTokens?: string[];
  viewer?: string;
  /** Without tokens: the viewer sees every task (as an admin token does). */
  admin?: boolean;
  /** The SSE `retry:` sent at the start of each stream (ms): short, so tests reconnect quickly. */
  retryMs?: number;
  keepAliveMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface ScriptedBoardServer {
  url: string;
  tasks: Map<string, WireTask>;
  readonly seq: number;
  /** Every request, in order (the test reads headers, paths and bodies from it). */
  requests: RecordedRequest[];
  /** The Last-Event-ID of every event stream request ('' when none was sent). */
  resumes: string[];
  /** Stores a task (new or changed) under the next seq and streams it to every viewer who may see it. */
  change(task: WireTask): number;
  /** Breaks every open event stream (the connection is destroyed, as when a server dies). */
  dropStreams(): void;
  /** While true, event stream requests are answered 503 (the server is "down" for the stream). */
  refuseStreams: boolean;
  openStreams(): number;
  close(): Promise<void>;
}

interface Stream {
  res: ServerResponse;
  viewer: Viewer;
}

interface Viewer {
  agent: string;
  admin: boolean;
}

/** The host page of the MCP App tests: test/board/host/app-host.ts, bundled once per server. */
export async function hostScript(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(root, 'test', 'board', 'host', 'app-host.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    logLevel: 'warning',
  });
  return result.outputFiles[0]!.text;
}

/** What a strict host puts on its app frame: inline only by the hashes of dist/board/app.json, no network. */
export function appCsp(): string {
  const appManifest = JSON.parse(readFileSync(path.join(dist, 'app.json'), 'utf8')) as {
    scriptHashes: string[];
    styleHashes: string[];
  };
  return [
    "default-src 'none'",
    `script-src ${appManifest.scriptHashes.map((hash) => `'${hash}'`).join(' ')}`,
    `style-src ${appManifest.styleHashes.map((hash) => `'${hash}'`).join(' ')}`,
    "connect-src 'none'",
    'img-src data:',
  ].join('; ');
}

/** The test host's page: the app's sandboxed frame and the host script (`hostScript()`). */
export function hostPage(script: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test host</title><link rel="icon" href="data:,">
<style>body{margin:0;font:14px sans-serif}iframe{border:0;width:100%;height:900px}</style></head>
<body><main><iframe id="app" title="Baton task board" sandbox="allow-scripts"></iframe></main>
<script>${script}</script></body></html>`;
}

export async function startScriptedBoard(options: ScriptedBoardOptions = {}): Promise<ScriptedBoardServer> {
  const tasks = new Map<string, WireTask>();
  const log: { seq: number; task: WireTask }[] = [];
  let seq = 0;
  const stamp = (task: WireTask): WireTask => {
    seq += 1;
    const stamped = { ...task, seq };
    tasks.set(stamped.id, stamped);
    log.push({ seq, task: stamped });
    return stamped;
  };
  for (const task of options.tasks ?? []) stamp(task);

  const streams = new Set<Stream>();
  const sockets = new Set<Socket>();
  const requests: RecordedRequest[] = [];
  const resumes: string[] = [];
  const retryMs = options.retryMs ?? 300;
  const host = await hostScript();
  const board = readFileSync(path.join(dist, 'board.html'), 'utf8');
  const boardCsp = (JSON.parse(readFileSync(path.join(dist, 'board.json'), 'utf8')) as { csp: string }).csp;
  const app = readFileSync(path.join(dist, 'app.html'), 'utf8');
  const appCspHeader = appCsp();

  const visible = (viewer: Viewer, task: WireTask) =>
    viewer.admin || task.delegated_by === viewer.agent || task.assignee_id === viewer.agent;
  const frame = (task: WireTask) => `id: ${String(task.seq)}\nevent: task\ndata: ${JSON.stringify(task)}\n\n`;

  const snapshot = (viewer: Viewer, limit: number, include: string[] = []) => {
    const mine = [...tasks.values()].filter((task) => visible(viewer, task));
    const roots = [...new Set(mine.map((task) => String(task.root_task_id)))];
    const created = (id: string) => String(tasks.get(id)?.created_at ?? '');
    roots.sort((a, b) => created(b).localeCompare(created(a)));
    const kept = new Set([...roots.slice(0, limit), ...include.map((id) => String(tasks.get(id)?.root_task_id ?? id))]);
    return { seq, tasks: mine.filter((task) => kept.has(String(task.root_task_id))) };
  };

  const cancel = (viewer: Viewer, id: string, reason: string | undefined) => {
    const task = tasks.get(id);
    if (!task || task.delegated_by !== viewer.agent) return null;
    if (TERMINAL.has(task.status)) {
      return {
        task_id: id,
        status: task.status,
        changed: false,
        cancelled_task_ids: [],
        message: `task ${id} had already ended (${task.status}); nothing changed`,
      };
    }
    const cancelled: string[] = [];
    const now = new Date().toISOString();
    const visit = (taskId: string) => {
      const current = tasks.get(taskId);
      if (!current) return;
      if (!TERMINAL.has(current.status)) {
        const error = `cancelled by ${viewer.agent}${reason ? `: ${reason}` : ''}`;
        server.change({ ...current, status: 'cancelled', error, finished_at: now, updated_at: now });
        cancelled.push(taskId);
      }
      for (const child of tasks.values()) if (child.parent_task_id === taskId) visit(child.id);
    };
    visit(id);
    return {
      task_id: id,
      status: 'cancelled',
      changed: true,
      cancelled_task_ids: cancelled,
      message: `cancelled ${cancelled.length} task(s)`,
    };
  };

  const message = (viewer: Viewer, body: Record<string, unknown>) => {
    if (typeof body.to_agent_id !== 'string' || typeof body.content !== 'string' || body.content === '') return null;
    seq += 1;
    return { delivered_to: body.to_agent_id, seq, created_at: new Date().toISOString(), from: viewer.agent };
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const authenticate = (req: IncomingMessage): Viewer | null => {
    if (!options.tokens) return { agent: options.viewer ?? 'host', admin: options.admin ?? false };
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !(token in options.tokens)) return null;
    return { agent: options.tokens[token]!, admin: options.adminTokens?.includes(token) ?? false };
  };

  const readBody = async (req: IncomingMessage): Promise<unknown> => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };

  /** The MCP tools the App page calls through its host, answered as the (token-less) viewer. */
  const callTool = (viewer: Viewer, name: string, args: Record<string, unknown>) => {
    const ok = (structured: unknown) => ({
      content: [{ type: 'text', text: JSON.stringify(structured) }],
      structuredContent: structured,
    });
    const fail = (text: string) => ({ content: [{ type: 'text', text }], isError: true });
    if (name === 'board_snapshot') {
      const include = Array.isArray(args.task_ids) ? args.task_ids.map(String) : [];
      if (typeof args.after_seq === 'number') {
        const after = args.after_seq;
        const changed = [...tasks.values()].filter((task) => Number(task.seq) > after && visible(viewer, task));
        return ok({ seq, tasks: changed, viewer: viewer.agent });
      }
      return ok({ ...snapshot(viewer, 100, include), viewer: viewer.agent });
    }
    if (name === 'cancel_task') {
      const answer = cancel(viewer, String(args.task_id), typeof args.reason === 'string' ? args.reason : undefined);
      return answer ? ok(answer) : fail('task not found');
    }
    if (name === 'send_message') {
      const answer = message(viewer, args);
      return answer ? ok(answer) : fail('to_agent_id and content are required');
    }
    return fail(`unknown tool ${name}`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://board.test');
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, headers: req.headers, body });
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': boardCsp });
      return res.end(board);
    }
    if (req.method === 'GET' && url.pathname === '/app.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': appCspHeader });
      return res.end(app);
    }
    if (req.method === 'GET' && url.pathname === '/host') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(hostPage(host));
    }
    if (req.method === 'POST' && url.pathname === '/host/call') {
      const call = (body ?? {}) as { name?: string; arguments?: Record<string, unknown> };
      return json(
        res,
        200,
        callTool(
          { agent: options.viewer ?? 'host', admin: options.admin ?? false },
          String(call.name),
          call.arguments ?? {},
        ),
      );
    }
    if (!url.pathname.startsWith('/board/api/')) return json(res, 404, { error: 'not found' });

    const viewer = authenticate(req);
    if (!viewer) return json(res, 401, { error: 'a valid bearer token is required' });
    if (req.method === 'GET' && url.pathname === '/board/api/session') {
      return json(res, 200, {
        viewer: viewer.agent,
        admin: viewer.admin,
        auth: options.tokens ? 'token' : 'none',
        version: '0.0.0-test',
        now: new Date().toISOString(),
      });
    }
    if (req.method === 'GET' && url.pathname === '/board/api/tasks') {
      return json(res, 200, snapshot(viewer, Number(url.searchParams.get('limit') ?? 100)));
    }
    if (req.method === 'GET' && url.pathname === '/board/api/events') {
      const since = String(req.headers['last-event-id'] ?? '');
      resumes.push(since);
      if (server.refuseStreams) return json(res, 503, { error: 'restarting' });
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      });
      res.write(`retry: ${retryMs}\n\n`);
      const after = Number(since || seq);
      for (const entry of log) if (entry.seq > after && visible(viewer, entry.task)) res.write(frame(entry.task));
      const stream = { res, viewer };
      streams.add(stream);
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), options.keepAliveMs ?? 15_000);
      res.on('close', () => {
        clearInterval(keepAlive);
        streams.delete(stream);
      });
      return;
    }
    if (req.method === 'POST') {
      // CSRF (board contract): JSON and the board's own header, or nothing happens.
      const csrf =
        req.headers['x-baton-board'] === '1' && /^application\/json\b/.test(req.headers['content-type'] ?? '');
      if (!csrf) return json(res, 403, { error: 'actions need Content-Type: application/json and X-Baton-Board: 1' });
      const cancelPath = /^\/board\/api\/tasks\/([^/]+)\/cancel$/.exec(url.pathname);
      if (cancelPath) {
        const reason = (body as { reason?: unknown } | undefined)?.reason;
        const answer = cancel(
          viewer,
          decodeURIComponent(cancelPath[1]!),
          typeof reason === 'string' ? reason : undefined,
        );
        return answer ? json(res, 200, answer) : json(res, 404, { error: 'task not found' });
      }
      if (url.pathname === '/board/api/messages') {
        const answer = message(viewer, (body ?? {}) as Record<string, unknown>);
        return answer ? json(res, 200, answer) : json(res, 400, { error: 'to_agent_id and content are required' });
      }
    }
    return json(res, 404, { error: 'not found' });
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => json(res, 500, { error: String(error) }));
  });
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  const server: ScriptedBoardServer = {
    url: `http://127.0.0.1:${port}`,
    tasks,
    get seq() {
      return seq;
    },
    requests,
    resumes,
    refuseStreams: false,
    change(task) {
      const stamped = stamp(task);
      for (const stream of streams) if (visible(stream.viewer, stamped)) stream.res.write(frame(stamped));
      return stamped.seq as number;
    },
    dropStreams() {
      for (const stream of streams) stream.res.socket?.destroy();
    },
    openStreams: () => streams.size,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  return server;
}
