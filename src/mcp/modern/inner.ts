/**
 * The 2025-11-25 server underneath the modern front: for each agent, one `createServer` McpServer (the very tools,
 * resources and prompts 2025 clients get) linked in memory to an SDK `Client` that declares no capabilities (a
 * 2026 server cannot sample or ask for roots). It is not a live session: inbox pushes never go to it.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { VERSION } from '../../version.js';
import { createServer } from '../server.js';
import type { ServerDeps } from '../server.js';

interface Pair {
  client: Client;
  server: McpServer;
}

export class InnerServers {
  private readonly pairs = new Map<string, Promise<Pair>>();

  constructor(private readonly deps: ServerDeps) {}

  /** The in-process client of `agentId`'s server, made on first use and kept. */
  async client(agentId: string): Promise<Client> {
    let pair = this.pairs.get(agentId);
    if (!pair) {
      pair = this.connect(agentId);
      this.pairs.set(agentId, pair);
      pair.catch(() => this.pairs.delete(agentId));
    }
    return (await pair).client;
  }

  async close(): Promise<void> {
    const pairs = [...this.pairs.values()];
    this.pairs.clear();
    for (const pair of pairs) {
      const { client, server } = await pair.catch(() => ({ client: null, server: null }));
      await client?.close().catch(() => undefined);
      await server?.close().catch(() => undefined);
    }
  }

  private async connect(agentId: string): Promise<Pair> {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const server = createServer(this.deps, agentId, { live: false });
    await server.connect(serverSide);
    const client = new Client({ name: 'baton-modern-front', version: VERSION }, { capabilities: {} });
    await client.connect(clientSide);
    return { client, server };
  }
}
