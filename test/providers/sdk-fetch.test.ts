import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnthropicProvider } from '../../src/providers/anthropic.js';
import { OpenAiProvider } from '../../src/providers/openai.js';
import { sdkFetch } from '../../src/providers/sdk-fetch.js';
import { startFakeAnthropic, type FakeAnthropic } from './fakes/fake-anthropic-server.js';
import { startFakeOpenAi, type FakeOpenAi } from './fakes/fake-openai-server.js';
import { helloRequest } from './fixtures/conversation.js';

/** A loopback server answering every request with `handle`; it counts the connections it was opened. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  let connections = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handle(req, res, body));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Served = Awaited<ReturnType<typeof serve>>;

describe('the vendor SDKs over sdkFetch', () => {
  let fake: FakeOpenAi | FakeAnthropic | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await fake?.close();
    fake = undefined;
  });

  it('sends an OpenAI call without Node fetch', async () => {
    const nodeFetch = vi.spyOn(globalThis, 'fetch');
    fake = await startFakeOpenAi([{ text: 'One.' }, { text: 'Two.' }]);
    const provider = new OpenAiProvider({ env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseUrl } });
    expect((await provider.complete(helloRequest)).text).toBe('One.');
    expect((await provider.complete(helloRequest)).text).toBe('Two.');
    expect(nodeFetch).not.toHaveBeenCalled();
    expect(fake.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-test', 'Bearer sk-test']);
  });

  it('sends an Anthropic call without Node fetch', async () => {
    const nodeFetch = vi.spyOn(globalThis, 'fetch');
    fake = await startFakeAnthropic([{ text: 'Hi.' }]);
    const provider = new AnthropicProvider({
      env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: fake.baseUrl },
    });
    expect((await provider.complete(helloRequest)).text).toBe('Hi.');
    expect(nodeFetch).not.toHaveBeenCalled();
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-ant-test');
  });
});

describe('sdkFetch', () => {
  let server: Served | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await server?.close();
    server = undefined;
  });

  it('sends the method, headers and body, and answers with the status, every header and the body', async () => {
    server = await serve((req, res, body) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(201, { 'content-type': 'application/json', 'x-seen': `${req.method} ${req.headers['x-key']}` });
      res.end(JSON.stringify({ echoed: JSON.parse(body) }));
    });
    const call = sdkFetch({});
    const response = await call(`${server.url}/v1/x`, {
      method: 'POST',
      headers: new Headers({ 'X-Key': 'k1', 'content-type': 'application/json' }),
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-seen')).toBe('POST k1');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(response.ok).toBe(true);
    expect(await response.json()).toEqual({ echoed: { hello: 'world' } });
    // The body as a stream too, for a caller that reads it so (made only when asked for).
    expect(await new Response(response.clone().body).text()).toBe('{"echoed":{"hello":"world"}}');
  });

  it('drops a byte order mark as Response.text() does, and answers an error status as not ok', async () => {
    server = await serve((_req, res) => res.writeHead(500).end('\uFEFF{"error":{"message":"boom"}}'));
    const response = await sdkFetch({})(server.url, { method: 'POST', body: '{}' });
    expect([response.status, response.ok]).toEqual([500, false]);
    expect(await response.json()).toEqual({ error: { message: 'boom' } });
  });

  it('keeps one connection for calls one after another', async () => {
    server = await serve((_req, res) => res.end('ok'));
    const call = sdkFetch({});
    for (let i = 0; i < 3; i++) expect(await (await call(server.url, { method: 'GET' })).text()).toBe('ok');
    expect(server.connections).toBe(1);
  });

  it('answers 204 with no body, and undoes a compression nobody asked for', async () => {
    server = await serve((req, res) => {
      if (req.url === '/empty') res.writeHead(204).end();
      else res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('{"zipped":true}'));
    });
    const call = sdkFetch({});
    const empty = await call(`${server.url}/empty`, { method: 'DELETE' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    expect(await (await call(`${server.url}/zipped`, {})).json()).toEqual({ zipped: true });
  });

  it("rejects with the signal's reason when aborted before the call or during a slow answer", async () => {
    server = await serve((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    const call = sdkFetch({});
    const before = AbortSignal.abort(new Error('stopped before'));
    await expect(call(server.url, { method: 'POST', body: '{}', signal: before })).rejects.toThrow('stopped before');
    const during = new AbortController();
    const pending = call(server.url, { method: 'POST', body: '{}', signal: during.signal });
    setTimeout(() => during.abort(new Error('stopped during')), 50);
    await expect(pending).rejects.toThrow('stopped during');
  });

  it('rejects with the connection error when nothing listens', async () => {
    server = await serve(() => undefined);
    const url = server.url;
    await server.close();
    server = undefined;
    await expect(sdkFetch({})(url, { method: 'POST', body: '{}' })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('rejects when the server hangs up in the middle of an answer', async () => {
    server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"cut":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await expect(sdkFetch({})(server.url, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('leaves a redirect, a streamed body and a non-HTTP URL to Node fetch', async () => {
    server = await serve((req, res) => {
      if (req.url === '/old') res.writeHead(307, { location: '/new' }).end();
      else res.end(`at ${req.url}: ${req.method}`);
    });
    const nodeFetch = vi.spyOn(globalThis, 'fetch');
    const call = sdkFetch({});
    expect(await (await call(`${server.url}/old`, { method: 'POST', body: 'x' })).text()).toBe('at /new: POST');
    expect(nodeFetch).toHaveBeenCalledTimes(1);
    const stream = new Blob(['streamed']).stream();
    const init = { method: 'POST', body: stream, duplex: 'half' } as RequestInit;
    expect(await (await call(`${server.url}/s`, init)).text()).toBe('at /s: POST');
    expect(nodeFetch).toHaveBeenCalledTimes(2);
    expect(await (await call('data:text/plain,inline')).text()).toBe('inline');
    expect(nodeFetch).toHaveBeenCalledTimes(3);
  });

  it('leaves every call to Node fetch when a proxy is configured, which newer Node versions honour', async () => {
    server = await serve((req, res) => res.end(`at ${req.url}`));
    const nodeFetch = vi.spyOn(globalThis, 'fetch');
    const call = sdkFetch({ HTTPS_PROXY: 'http://proxy.invalid:3128' });
    expect(await (await call(`${server.url}/p`, { method: 'POST', body: '{}' })).text()).toBe('at /p');
    expect(nodeFetch).toHaveBeenCalledTimes(1);
    expect(await (await sdkFetch({})(`${server.url}/q`, { method: 'POST', body: '{}' })).text()).toBe('at /q');
    expect(nodeFetch).toHaveBeenCalledTimes(1);
  });
});
