/**
 * `baton board`'s server: the task board alone (no MCP endpoint) on loopback, for stdio setups (SPEC §2, §12). Its
 * viewer is the local operator (`--as`), who sees every task, as in `baton tasks`; only this machine may connect,
 * and a page from any other site may not (Host and Origin must name a loopback host: DNS rebinding, 403).
 */
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { LOOPBACK_HOSTS } from '../config.js';
import { ConfigError } from '../errors.js';
import type { ServerDeps } from '../mcp/server.js';
import type { BoardAssets } from '../board/assets.js';
import { boardRoutes } from './board-routes.js';

export interface BoardHttpOptions {
  /** 0 picks a free port. */
  port: number;
  /** `--as`: the operator. */
  agentId: string;
  assets?: BoardAssets;
}

export interface RunningBoard {
  /** e.g. http://127.0.0.1:4747/ */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startBoardHttp(
  deps: Pick<ServerDeps, 'tasks' | 'runtime' | 'log'>,
  options: BoardHttpOptions,
): Promise<RunningBoard> {
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const host = hostname(req.headers.host ? `http://${req.headers.host}` : undefined);
    const origin = req.headers.origin;
    if (host === null || !LOOPBACK_HOSTS.has(host)) {
      return void res.status(403).json({ error: `Forbidden: host ${req.headers.host ?? '(none)'} is not loopback` });
    }
    if (origin !== undefined && !LOOPBACK_HOSTS.has(hostname(origin) ?? '')) {
      return void res.status(403).json({ error: `Forbidden: origin ${origin} is not this board` });
    }
    next();
  });
  app.use(
    boardRoutes(deps, {
      agentId: options.agentId,
      tokens: null,
      ...(options.assets ? { assets: options.assets } : {}),
    }),
  );
  app.use((_req, res) => void res.status(404).json({ error: 'not found' }));

  const server = await new Promise<HttpServer>((resolve, reject) => {
    const listening = app.listen(options.port, HOST);
    listening.once('listening', () => resolve(listening));
    listening.once('error', (error) =>
      reject(new ConfigError(`cannot listen on ${HOST}:${options.port}: ${error.message}`)),
    );
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function hostname(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const name = new URL(url).hostname.toLowerCase();
    return name;
  } catch {
    return null;
  }
}
