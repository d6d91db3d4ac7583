/**
 * Bearer tokens without OAuth dead ends (issue 12, item 9), through real HTTP on the built CLI: a request without
 * a token is told what to send; the OAuth discovery documents answer 404 without a token, so the SDK's client
 * (as the MCP Inspector and mcp-remote use it) fails at once with that message instead of waiting for a login.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpawnedCli } from '../helpers/cli.js';
import { startHttpServer } from '../helpers/cli.js';
import { tempDir } from '../helpers/core.js';

const TOKEN = `tok-${randomBytes(16).toString('hex')}`;
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } },
};

describe('baton serve --http --tokens: bearer tokens and OAuth discovery', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let server: SpawnedCli & { url: string };

  beforeAll(async () => {
    tmp = await tempDir('baton-e2e-auth-');
    const tokens = path.join(tmp.dir, 'tokens.json');
    await writeFile(tokens, JSON.stringify({ [TOKEN]: 'alice' }));
    server = await startHttpServer(
      ['--http', '127.0.0.1:0', '--store', path.join(tmp.dir, 'store.json'), '--tokens', tokens],
      { cwd: tmp.dir },
    );
  });
  afterAll(async () => {
    server?.process.kill('SIGKILL');
    await server?.exited;
    await tmp?.cleanup();
  });

  const initialize = (headers: Record<string, string> = {}) =>
    fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: JSON.stringify(INITIALIZE),
    });

  it('answers a request without a token with 401, a Bearer challenge and how to pass the token', async () => {
    const res = await initialize();
    expect(res.status).toBe(401);
    // RFC 6750 §3: no error code when the request carried no credentials.
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="baton"');
    const body = (await res.json()) as { error: { message: string } };
    expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
    expect(body.error.message).toBe(
      'Unauthorized: this server needs a bearer token; send the header "Authorization: Bearer <token>" ' +
        "with a token from the server's --tokens file",
    );
  });

  it('answers an unknown token or another scheme with 401 invalid_token, saying which', async () => {
    const unknown = await initialize({ authorization: 'Bearer not-a-known-token-at-all' });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toBe(
      'Bearer realm="baton", error="invalid_token", error_description="unknown bearer token"',
    );
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(
      /^Unauthorized: unknown bearer token; send the header "Authorization: Bearer <token>"/,
    );
    const basic = await initialize({ authorization: 'Basic YWxpY2U6c2VjcmV0' });
    expect(basic.status).toBe(401);
    expect(((await basic.json()) as { error: { message: string } }).error.message).toMatch(
      /^Unauthorized: the Authorization header is not "Bearer <token>"/,
    );
  });

  it('answers every OAuth discovery document with 404, without a token', async () => {
    const paths = [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource/sse',
      '/.well-known/oauth-authorization-server',
      '/.well-known/oauth-authorization-server/mcp',
      '/.well-known/openid-configuration',
      '/.well-known/openid-configuration/mcp',
      '/mcp/.well-known/openid-configuration',
      // The endpoints a client assumes when there is no metadata.
      '/register',
      '/authorize',
      '/token',
    ];
    for (const urlPath of paths) {
      const res = await fetch(`${server.url}${urlPath}`);
      expect(res.status, urlPath).toBe(404);
      expect(await res.json(), urlPath).toEqual({
        error: 'not_found',
        error_description:
          'Baton does not use OAuth: send the header "Authorization: Bearer <token>" with a token from the ' +
          "server's --tokens file",
      });
    }
    // Everything else still needs the token.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(401);
  });

  it("fails the SDK client's connect at once with the server's message when it has no token", async () => {
    const client = new Client({ name: 'no-token', version: '1.0.0' });
    const started = Date.now();
    const error = await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`))).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ code: 401 });
    expect(error?.message).toMatch(
      /this server needs a bearer token; send the header \\"Authorization: Bearer <token>\\"/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    await client.close();
  });

  it('fails an OAuth-capable SDK client (as the Inspector and mcp-remote run it) without a browser login', async () => {
    const redirects: URL[] = [];
    const probed: string[] = [];
    const redirectUrl = 'http://127.0.0.1:9/callback';
    const provider: OAuthClientProvider = {
      redirectUrl,
      clientMetadata: { redirect_uris: [redirectUrl], client_name: 'oauth-client' },
      clientInformation: () => undefined,
      saveClientInformation: () => undefined,
      tokens: () => undefined,
      saveTokens: () => undefined,
      redirectToAuthorization: (url) => void redirects.push(url),
      saveCodeVerifier: () => undefined,
      codeVerifier: () => 'verifier',
    };
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
      authProvider: provider,
      fetch: (url, init) => {
        probed.push(new URL(String(url)).pathname);
        return fetch(url, init);
      },
    });
    const client = new Client({ name: 'oauth-client', version: '1.0.0' });
    const error = await client.connect(transport).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).not.toBeNull();
    // It looked for OAuth metadata, found none, could not register, and says why: no browser was opened.
    expect(error?.message).toBe(
      'Baton does not use OAuth: send the header "Authorization: Bearer <token>" with a token from the server\'s ' +
        '--tokens file',
    );
    expect(redirects).toEqual([]);
    expect(probed).toEqual([
      '/mcp',
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration',
      '/register',
    ]);
    await client.close();
  });
});
