/**
 * A model API over HTTPS, as the real ones are: the built CLI dispatches to a loopback OpenAI-compatible server with a
 * self-signed certificate (test/fixtures/tls, for 127.0.0.1 and localhost, valid until 2126). The provider's
 * `sdkFetch` sends it with node:https, which trusts what Node trusts: the system's CAs and NODE_EXTRA_CA_CERTS.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeAgent } from '../helpers/agents.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/core.js';

const TLS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/tls');
const CERT = path.join(TLS, 'localhost-cert.pem');

describe('baton dispatch to a model API over HTTPS', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let server: Server;
  let baseUrl: string;
  const seen: Array<{ path: string | undefined; authorization: string | undefined }> = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    seen.length = 0;
    server = createServer({ key: readFileSync(path.join(TLS, 'localhost-key.pem')), cert: readFileSync(CERT) });
    server.on('request', (req, res) => {
      seen.push({ path: req.url, authorization: req.headers.authorization });
      req.resume().on('end', () => {
        const body = JSON.stringify({
          id: 'chatcmpl-tls',
          object: 'chat.completion',
          model: 'gpt-tls',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Hello over TLS.' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    await writeAgent(path.join(dir, 'agents'), 'echo', { model: 'openai:gpt-tls', description: 'Echoes.' });
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await cleanup();
  });

  const dispatch = (env: Record<string, string>) =>
    runCli(['dispatch', 'echo', 'Say hello.', '--agents', path.join(dir, 'agents'), '--store', `${dir}/s.json`], {
      cwd: dir,
      env: { OPENAI_API_KEY: 'sk-tls', OPENAI_BASE_URL: baseUrl, HOME: dir, ...env },
      timeoutMs: 30_000,
    });

  it('answers when the certificate is trusted through NODE_EXTRA_CA_CERTS', async () => {
    const out = await dispatch({ NODE_EXTRA_CA_CERTS: CERT });
    expect(out.stderr).not.toMatch(/certificate/i);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Hello over TLS.');
    expect(seen).toEqual([{ path: '/v1/chat/completions', authorization: 'Bearer sk-tls' }]);
  });

  it('refuses a certificate nobody trusts at once, naming the way to trust it', async () => {
    const out = await dispatch({});
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(
      "echo failed: openai: the server's TLS certificate is not trusted (self-signed certificate); for a private CA, set NODE_EXTRA_CA_CERTS to its PEM file",
    );
    expect(out.stderr).not.toContain('retrying'); // trying again would not change the certificate
    expect(seen).toEqual([]); // no request got through the handshake
  });
});
