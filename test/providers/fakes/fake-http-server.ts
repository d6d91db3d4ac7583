/**
 * The vendor-neutral half of the loopback fakes: a node:http server on 127.0.0.1 port 0 that records every request,
 * answers from a script (a queue of replies, then a handler, then a default reply), and counts requests the client
 * aborted before an answer was sent. `fake-openai-server.ts` and `fake-anthropic-server.ts` render the replies in
 * their vendor's wire format (non-streaming JSON).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tool call the fake model makes. `arguments` as a string is sent verbatim (to test malformed JSON). */
export interface FakeToolCall {
  name: string;
  arguments?: Record<string, unknown> | string;
  id?: string;
}

/**
 * Token counts a reply reports, in Baton's neutral terms (src/usage/usage.ts): `input` is the whole prompt, cached
 * tokens included, and `cacheRead` / `cacheWrite` are parts of it. Each fake renders them in its vendor's wire
 * format (Anthropic's `input_tokens` leaves the cache out; OpenAI's `prompt_tokens` keeps it in), so one script
 * ("each call spends 200 + 100 tokens") means the same on both vendors.
 */
export interface FakeUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/**
 * Fields every reply may carry: a delay before answering, extra headers, token counts (`null`: the response has
 * no usage at all; default: rough counts of the conversation), the model the response names (default: the one
 * asked for), the vendor's stop reason.
 */
export interface FakeReplyOptions {
  delayMs?: number;
  headers?: Record<string, string>;
  usage?: FakeUsage | null;
  model?: string;
  /** The raw vendor value (`finish_reason` / `stop_reason`), when the default is not wanted. */
  stopReason?: string;
}

/**
 * One scripted answer:
 * `{text}` a text answer; `{toolCalls}` tool calls (with optional text); `{status}` a vendor-shaped error body
 * (optional `message`, `errorType`, `retryAfter` header in seconds); `{hang: true}` never answers;
 * `{malformed: true}` a 200 with a body that is not valid JSON; `{json}` any body as it is;
 * `{delayMs}` alone: the default reply after a delay.
 */
export type FakeReply = FakeReplyOptions &
  (
    | { text: string }
    | { toolCalls: FakeToolCall[]; text?: string }
    | { status: number; message?: string; errorType?: string; retryAfter?: number | string }
    | { hang: true }
    | { malformed: true }
    | { json: unknown; status?: number }
    | { delayMs: number }
  );

/** A request the fake received; `body` is the parsed JSON (or the raw text when it was not JSON). */
export interface RecordedRequest<Body> {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Body;
}

/** Answers from the conversation, e.g. a tool call first and a text answer once a tool result is in. */
export type FakeHandler<Body> = (body: Body, request: RecordedRequest<Body>) => FakeReply | Promise<FakeReply>;

/** A script: replies in order, then `handler` for every later request, else `defaultReply` (`{text: 'ok'}`). */
export interface FakeScriptOptions<Body> {
  replies?: FakeReply[];
  handler?: FakeHandler<Body>;
  defaultReply?: FakeReply;
}

/** What `startFake*` accepts: a queue of replies, a handler, or both plus a default. */
export type FakeScript<Body> = FakeReply[] | FakeHandler<Body> | FakeScriptOptions<Body>;

/** A running fake vendor server. */
export interface FakeServer<Body> {
  /** The base URL to hand the SDK (OPENAI_BASE_URL / ANTHROPIC_BASE_URL). */
  readonly baseUrl: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest<Body>[];
  /** How many requests the client aborted before an answer was sent. */
  readonly aborted: number;
  /** Queues more replies. */
  push(...replies: FakeReply[]): void;
  /** Resolves once `condition` holds (checked on every request and abort); rejects after `timeoutMs`. */
  waitFor(condition: () => boolean, timeoutMs?: number): Promise<void>;
  /** Stops the server, cutting hanging requests. */
  close(): Promise<void>;
}

/** A rendered HTTP answer. */
export interface WireReply {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** How a vendor fake speaks: where it listens and how it renders replies. */
export interface VendorDialect<Body> {
  /** The path the SDK posts to, e.g. `/v1/chat/completions`. */
  path: string;
  /** The prefix of `baseUrl` after the origin, e.g. `/v1` for OpenAI, `` for Anthropic. */
  basePath: string;
  render(reply: Exclude<FakeReply, { hang: true } | { malformed: true }>, body: Body): WireReply;
  notFound(path: string): WireReply;
}

/** Starts a fake on loopback port 0 speaking `dialect`. */
export async function startFakeServer<Body>(
  dialect: VendorDialect<Body>,
  script: FakeScript<Body> = {},
): Promise<FakeServer<Body>> {
  const options: FakeScriptOptions<Body> =
    typeof script === 'function' ? { handler: script } : Array.isArray(script) ? { replies: script } : script;
  const queue = [...(options.replies ?? [])];
  const defaultReply = options.defaultReply ?? { text: 'ok' };
  const requests: RecordedRequest<Body>[] = [];
  const watchers = new Set<() => void>();
  const notify = () => watchers.forEach((watch) => watch());
  let aborted = 0;
  let closing = false;

  const server = createServer((req, res) => {
    res.on('close', () => {
      if (!res.writableFinished && !closing) {
        aborted++;
        notify();
      }
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const recorded: RecordedRequest<Body> = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: parseJson(raw) as Body,
        };
        requests.push(recorded);
        notify();
        const send = (wire: WireReply) => {
          if (res.destroyed) return;
          res.writeHead(wire.status, { 'content-type': 'application/json', ...wire.headers });
          res.end(typeof wire.body === 'string' ? wire.body : JSON.stringify(wire.body));
        };
        if (req.method !== 'POST' || recorded.path.split('?')[0] !== dialect.path)
          return send(dialect.notFound(recorded.path));

        let reply = queue.shift() ?? (options.handler ? await options.handler(recorded.body, recorded) : defaultReply);
        if (!isAnswer(reply)) reply = { ...defaultReply, ...reply };
        if (reply.delayMs) {
          const delayMs = reply.delayMs;
          // Stop waiting when the client goes away, so no timer outlives the test.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, delayMs);
            res.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
        if ('hang' in reply) return;
        if ('malformed' in reply)
          return send({ status: 200, headers: reply.headers, body: '{"id": "broken", "choices": [' });
        send(dialect.render(reply, recorded.body));
      })().catch((error: unknown) => {
        // A throwing handler is a test bug: answer 599 so the test fails loudly rather than hanging.
        if (!res.headersSent && !res.destroyed) res.writeHead(599).end(String(error));
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}${dialect.basePath}`,
    requests,
    get aborted() {
      return aborted;
    },
    push: (...replies) => void queue.push(...replies),
    waitFor(condition, timeoutMs = 5000) {
      if (condition()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(watch);
          reject(new Error(`fake server: condition not met within ${timeoutMs} ms`));
        }, timeoutMs);
        const watch = () => {
          if (!condition()) return;
          clearTimeout(timer);
          watchers.delete(watch);
          resolve();
        };
        watchers.add(watch);
      });
    },
    close() {
      closing = true;
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Whether a reply says what to answer (anything but a bare `{delayMs}`). */
function isAnswer(reply: FakeReply): boolean {
  return ['text', 'toolCalls', 'status', 'hang', 'malformed', 'json'].some((key) => key in reply);
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** A rough token count, so usage is non-zero and grows with the conversation. */
export function roughTokens(value: unknown): number {
  return Math.max(1, Math.ceil(JSON.stringify(value ?? '').length / 4));
}
