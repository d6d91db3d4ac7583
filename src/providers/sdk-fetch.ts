/**
 * The `fetch` both vendor SDKs are given. A model call is one JSON request and one JSON answer; this sends it with
 * `node:http` / `node:https` over keep-alive agents and reads the answer whole, instead of through Node's fetch,
 * whose WHATWG layers (Request, web streams, body mixins, resource timing) cost a dispatch more CPU than the HTTP
 * exchange itself (issue 15: about 1 ms of server CPU per dispatch on a small machine).
 *
 * It answers as Node's fetch does where the SDKs look (`WholeAnswer`): the status, the headers (repeated ones
 * kept), the body; an abort through `init.signal` (the SDKs' own timeouts and Baton's cancellation) rejects with
 * the signal's reason. Like Node 20's fetch it has no timeout of its own. Whatever this does not cover goes to
 * Node's fetch unchanged: a body that is not a string or bytes (a stream, a form), a URL that is not http(s), a
 * configured proxy, and any redirect, which is sent again through fetch so that it is followed as fetch follows it.
 */
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type { ProviderEnv } from './types.js';

/**
 * A fetch for one SDK client: its own keep-alive agents, so connections are reused across calls. With a proxy
 * configured in `env`, Node's fetch itself: newer Node versions send it through the proxy, and this would not.
 */
export function sdkFetch(env: ProviderEnv = process.env): typeof fetch {
  if (PROXY_VARIABLES.some((name) => env[name])) return (input, init) => fetch(input, init);
  const agents: Record<string, http.Agent> = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };
  return (input, init) => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : null;
    const body = init?.body;
    const plain = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    const url = href !== null && plain ? new URL(href) : null;
    const agent = url ? agents[url.protocol] : undefined;
    if (!url || !agent) return fetch(input, init);
    return exchange(url, agent, init ?? {}).then((response) => response ?? fetch(input, init));
  };
}

/** One request and its whole answer; null for a redirect, which the caller leaves to fetch. */
function exchange(url: URL, agent: http.Agent, init: RequestInit): Promise<Response | null> {
  const { signal } = init;
  return new Promise((resolve, reject) => {
    // As fetch: an abort rejects with the signal's reason, whether it comes before the answer or during it.
    const fail = (error: unknown) => reject(signal?.aborted ? signal.reason : error);
    if (signal?.aborted) return fail(signal.reason);
    const send = url.protocol === 'https:' ? https.request : http.request;
    const request = send(
      url,
      { method: init.method ?? 'GET', headers: headerObject(init.headers), agent, ...(signal ? { signal } : {}) },
      (answer) => {
        const status = answer.statusCode ?? 0;
        if (REDIRECTS.has(status) && answer.headers.location) {
          answer.resume();
          return resolve(null);
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('error', fail); // a server that hangs up mid-answer, too
        answer.on('end', () => {
          try {
            resolve(toResponse(url, status, answer, decode(Buffer.concat(chunks), answer.headers)));
          } catch (error) {
            fail(error);
          }
        });
      },
    );
    request.on('error', fail);
    request.end(init.body ?? undefined);
  });
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NODE_USE_ENV_PROXY'];

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** No body for these statuses, even an empty one (as a Response). */
const NO_BODY = new Set([204, 205, 304]);

function toResponse(url: URL, status: number, answer: http.IncomingMessage, body: Buffer): Response {
  const headers = new Headers();
  const raw = answer.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  // Buffer.concat's buffer is an ArrayBuffer, never a shared one.
  const bytes = body as Uint8Array<ArrayBuffer>;
  return new WholeAnswer(url.href, status, answer.statusMessage ?? '', headers, bytes) as unknown as Response;
}

const utf8 = new TextDecoder(); // as Response.text(): a leading byte order mark is dropped

/**
 * An answer read whole, in the shape of the `Response` the SDKs read: `status`, `ok`, `url`, `headers`, `json()` and
 * `text()`. A WHATWG Response would put the bytes behind a web stream only to read them back; `body` makes that
 * stream only for a caller that asks for it (the SDKs do only to discard an answer they retry).
 */
class WholeAnswer {
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  readonly bodyUsed = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: Headers,
    private readonly bytes: Uint8Array<ArrayBuffer>,
  ) {
    this.ok = status >= 200 && status <= 299;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return NO_BODY.has(this.status) ? null : new Blob([this.bytes]).stream();
  }

  text(): Promise<string> {
    return Promise.resolve(utf8.decode(this.bytes));
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.resolve(new Uint8Array(this.bytes).buffer);
  }

  clone(): WholeAnswer {
    return new WholeAnswer(this.url, this.status, this.statusText, new Headers(this.headers), this.bytes);
  }
}

/** The body as sent, undone: a server may compress an answer though nothing asked for it. */
function decode(body: Buffer, headers: http.IncomingHttpHeaders): Buffer {
  switch (headers['content-encoding']?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(body);
    case 'deflate':
      return zlib.inflateSync(body);
    case 'br':
      return zlib.brotliDecompressSync(body);
    default:
      return body;
  }
}

/** The request's headers as node:http takes them (the SDKs pass a Headers object; a plain object or pairs also do). */
function headerObject(headers: RequestInit['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  if (headers === undefined) return result;
  const entries =
    headers instanceof Headers || Array.isArray(headers) ? headers : Object.entries(headers as Record<string, string>);
  for (const [name, value] of entries as Iterable<[string, string]>) {
    const key = name.toLowerCase();
    result[key] = result[key] === undefined ? value : `${result[key]}, ${value}`;
  }
  return result;
}
