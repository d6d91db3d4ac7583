/**
 * The task board's HTTP routes (board contract, SPEC §12), mounted on `baton serve --http` and `baton board`:
 *   GET  /                              the page, with the strict CSP header of its build
 *   GET  /board/api/session             who is viewing
 *   GET  /board/api/tasks?limit=N       a snapshot of the newest root trees the viewer may see
 *   GET  /board/api/events              server-sent events from the store's change feed (Last-Event-ID resumes)
 *   POST /board/api/tasks/{id}/cancel   cancel_task as the viewer
 *   POST /board/api/messages            send_message as the viewer
 * With tokens every API request needs `Authorization: Bearer <token>` (the page asks for it; it is never in a URL);
 * the admin token sees every task. Actions are the tools' own operations, so they follow the same access rules.
 */
import { createHash } from 'node:crypto';
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { z } from 'zod';
import { boardAssets } from '../board/assets.js';
import type { BoardAssets } from '../board/assets.js';
import { snapshot, SNAPSHOT_DEFAULT, SNAPSHOT_MAX, visibleChanges } from '../board/board-view.js';
import type { Viewer } from '../board/board-view.js';
import { InputError, errorMessage } from '../errors.js';
import type { ServerDeps } from '../mcp/server.js';
import { OPERATIONS } from '../tasks/operations/index.js';
import type { Operation } from '../tasks/operations/operation.js';
import { VERSION } from '../version.js';
import { BEARER_HINT } from './bearer-auth.js';

export interface BoardRouteOptions {
  /** `--as`: the viewer without tokens. */
  agentId: string;
  /** token → agent id, or null (loopback only; the viewer is the local operator and sees every task). */
  tokens: Map<string, string> | null;
  /** `--admin-token`: sees every task (acting as its own agent in the token file, else as `--as`). */
  adminToken?: string | null;
  assets?: BoardAssets;
  /** SSE `: keep-alive` comment interval (default 15 s). */
  keepAliveMs?: number;
  /** SSE `retry:` sent to the page (default 1 s). */
  retryMs?: number;
  /** Open event streams per viewer agent (default 16): more get 429. */
  maxStreams?: number;
  /** Stored changes replayed to a resuming stream at most; further behind gets `event: reset` (default 5000). */
  maxReplay?: number;
}

/** Request bodies of actions: small JSON. */
const ACTION_BODY_LIMIT = '64kb';
/** A stream whose client reads this far behind is dropped (it resumes from its last seq). */
const STREAM_BACKLOG_BYTES = 4 * 1024 * 1024;

export function boardRoutes(deps: Pick<ServerDeps, 'tasks' | 'runtime' | 'log'>, options: BoardRouteOptions): Router {
  const assets = options.assets ?? boardAssets();
  const viewerOf = authenticator(options);
  const streams = new Map<string, number>();
  const router = express.Router();

  router.get('/', (_req, res) => {
    const page = assets.page();
    res.set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': page.csp,
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
      ...SECURITY_HEADERS,
    });
    res.send(page.html);
  });

  const api = express.Router();
  router.use('/board/api', api);
  api.use((req, res, next) => {
    res.set(SECURITY_HEADERS);
    const viewer = viewerOf(req.headers.authorization);
    if (viewer === null) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="baton"');
      return fail(res, 401, `Unauthorized: ${BEARER_HINT}`);
    }
    res.locals.viewer = viewer;
    next();
  });

  api.get('/session', (_req, res) => {
    const viewer = res.locals.viewer as Viewer;
    res.json({
      viewer: viewer.agent,
      admin: viewer.admin,
      auth: options.tokens ? 'token' : 'none',
      version: VERSION,
      now: new Date().toISOString(),
    });
  });

  api.get('/tasks', async (req, res) => {
    const raw = req.query.limit;
    const limit = raw === undefined ? SNAPSHOT_DEFAULT : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > SNAPSHOT_MAX) {
      return fail(res, 400, `limit: expected a whole number from 1 to ${SNAPSHOT_MAX}`);
    }
    res.json(await snapshot(deps.tasks, res.locals.viewer as Viewer, { limit }));
  });

  api.get('/events', async (req, res) => {
    const viewer = res.locals.viewer as Viewer;
    const open = streams.get(viewer.agent) ?? 0;
    if (open >= (options.maxStreams ?? 16)) {
      return fail(res, 429, `too many open event streams for ${viewer.agent}; close a board tab`);
    }
    const head = await deps.tasks.headSeq();
    const asked = req.headers['last-event-id'];
    const since = asked === undefined || asked === '' ? head : Number(asked);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    res.write(`retry: ${options.retryMs ?? 1000}\n\n`);
    // A seq from elsewhere (another store, or garbage) cannot be resumed: the page takes a new snapshot.
    if (!Number.isSafeInteger(since) || since < 0 || since > head) return reset(res);
    streams.set(viewer.agent, open + 1);
    let replayed = 0;
    let unsubscribe: () => void = () => undefined;
    unsubscribe = visibleChanges(deps.tasks, viewer, since, (task, seq) => {
      if (seq <= head && ++replayed > (options.maxReplay ?? 5000)) {
        unsubscribe();
        return reset(res);
      }
      res.write(`id: ${seq}\nevent: task\ndata: ${JSON.stringify(task)}\n\n`);
      // A reader this slow is dropped rather than buffered without end; it resumes from its last seq.
      if (res.writableLength > STREAM_BACKLOG_BYTES) res.destroy();
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), options.keepAliveMs ?? 15_000);
    res.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      const left = (streams.get(viewer.agent) ?? 1) - 1;
      if (left > 0) streams.set(viewer.agent, left);
      else streams.delete(viewer.agent);
    });
  });

  // CSRF (board contract): an action is a JSON POST carrying the board's own header, from this origin. A form or
  // a cross-site fetch cannot send both without a CORS preflight, which this server never grants.
  api.post(/.*/, (req, res, next) => {
    if (req.headers['x-baton-board'] !== '1' || !req.is('application/json')) {
      return fail(res, 403, 'Forbidden: actions need Content-Type: application/json and the X-Baton-Board: 1 header');
    }
    const origin = req.headers.origin;
    if (origin !== undefined && hostOf(origin) !== req.headers.host?.toLowerCase()) {
      return fail(res, 403, `Forbidden: origin ${origin} is not this board`);
    }
    next();
  });
  api.use(express.json({ limit: ACTION_BODY_LIMIT, type: () => true }));

  api.post('/tasks/:id/cancel', async (req, res) => {
    const body = isObject(req.body) ? req.body : {};
    const taskId = req.params.id ?? '';
    await act(res, OPERATIONS.cancel_task, { ...body, task_id: taskId }, (error) =>
      // Board contract: a task the viewer did not delegate answers like an unknown id.
      error.code === 'not_delegator' ? new InputError('not_found', `task not found: ${taskId}`) : error,
    );
  });

  api.post('/messages', async (req, res) => {
    await act(res, OPERATIONS.send_message, isObject(req.body) ? req.body : {});
  });

  api.use((_req, res) => fail(res, 404, 'not found'));

  // Bodies: too large (413), not JSON (400); anything else is ours (500, logged).
  api.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status ?? 500;
    if (res.headersSent) return void res.end();
    if (status === 413) return fail(res, 413, `the request body is over ${ACTION_BODY_LIMIT}`);
    if (status === 400) return fail(res, 400, `the request body is not JSON: ${errorMessage(error)}`);
    deps.log.error('board request failed', { error: errorMessage(error) });
    return fail(res, 500, 'internal error');
  });

  /** Runs a tool's operation as the viewer: its input schema, its handler, its access rules, its answer. */
  async function act(
    res: Response,
    op: Operation,
    input: Record<string, unknown>,
    mapError: (error: InputError) => InputError = (error) => error,
  ): Promise<void> {
    const viewer = res.locals.viewer as Viewer;
    const parsed = op.input.safeParse(input);
    if (!parsed.success) return fail(res, 400, describeIssues(parsed.error));
    try {
      res.json(await op.run(deps.runtime.operations(viewer.agent), parsed.data, {}));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const mapped = mapError(error);
      fail(res, mapped.code === 'not_found' ? 404 : 400, mapped.message);
    }
  }

  return router;
}

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** The viewer for an Authorization header: the token's agent, the admin, or (no tokens) the operator; null = 401. */
function authenticator(options: BoardRouteOptions): (header: string | undefined) => Viewer | null {
  // Tokens are compared by hash, so a lookup does not compare secrets character by character.
  const byHash = options.tokens ? new Map([...options.tokens].map(([token, id]) => [sha256(token), id])) : null;
  const admin = options.adminToken ? sha256(options.adminToken) : null;
  return (header) => {
    if (byHash === null) return { agent: options.agentId, admin: true };
    const token = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
    if (token === undefined) return null;
    const hash = sha256(token);
    const agent = byHash.get(hash);
    if (hash === admin) return { agent: agent ?? options.agentId, admin: true };
    return agent === undefined ? null : { agent, admin: false };
  };
}

function reset(res: Response): void {
  res.end('event: reset\ndata: {}\n\n');
}

function fail(res: Response, status: number, error: string): void {
  res.status(status).json({ error });
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return null;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
