/**
 * The `fetch` both vendor SDKs are given. A model call is one JSON request and one JSON answer; this sends it with
 * `node:http` / `node:https` over keep-alive agents and reads the answer whole, instead of through Node's fetch,
 * whose WHATWG layers (Request, web streams, body mixins, resource timing) cost a dispatch more CPU than the HTTP
 * exchange itself (issue 15: 0.9 ms of server CPU per dispatch on a small machine).
 *
 * It behaves as Node's fetch does where the SDKs look: the status, the headers (repeated ones kept), the body, and
 * an abort through `init.signal` (the SDKs' own timeouts and Baton's cancellation) rejecting with the signal's
 * reason. Like Node 20's fetch it has no timeout of its own and no proxy. Whatever this does not cover goes to Node's
 * fetch unchanged: a body that is not a string or bytes (a stream, a form), a URL that is not http(s), and any
 * redirect, which is sent again through fetch so that it is followed as fetch follows it.
 */
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

/** A fetch for one SDK client: its own keep-alive agents, so connections are reused across calls. */
export function sdkFetch(): typeof fetch {
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
            resolve(toResponse(status, answer.rawHeaders, decode(Buffer.concat(chunks), answer.headers)));
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

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A Response refuses a body for these statuses, even an empty one. */
const NO_BODY = new Set([204, 205, 304]);

function toResponse(status: number, rawHeaders: string[], body: Buffer): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) headers.append(rawHeaders[i]!, rawHeaders[i + 1]!);
  // Buffer.concat's buffer is an ArrayBuffer, never shared: the type Response asks for.
  return new Response(NO_BODY.has(status) ? null : (body as Uint8Array<ArrayBuffer>), { status, headers });
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
