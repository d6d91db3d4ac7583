/**
 * A loopback fake LLM for the benchmarks: node:http on 127.0.0.1, an ephemeral port, speaking the OpenAI Chat
 * Completions wire format without streaming. `POST /v1/chat/completions` answers, after `latencyMs`, with a
 * `chat.completion` holding one assistant text message; anything else is a 404 in OpenAI's error shape.
 *
 * It counts what it serves: requests, requests in flight and the most ever in flight at once, and for each request
 * the times (performance.now() of this process) its body had arrived and its answer was sent, so a benchmark that
 * runs the fake in its own process can split a latency into "before the LLM" and "after the LLM".
 *
 *   const fake = await startFakeLlm({ latencyMs: 200 });
 *   env.OPENAI_BASE_URL = fake.baseUrl; // http://127.0.0.1:<port>/v1
 *   …; fake.reset(); …; fake.stats(); await fake.close();
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const PATH = '/v1/chat/completions';

/**
 * Starts the fake. Options: `latencyMs` (0: answer at once, in the same tick as the body's end), `text` (the
 * assistant's answer). Both may be changed later on the returned object.
 */
export async function startFakeLlm({ latencyMs = 0, text = 'ok' } = {}) {
  let ids = 0;
  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  /** One entry per chat completion served since the last reset: {arrived, answered} (ms, performance.now()). */
  let log = [];
  let lastBody = null;
  const sockets = new Set();

  const fake = {
    latencyMs,
    text,
    url: '',
    baseUrl: '',
    get requests() {
      return requests;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    /** The parsed body of the last chat completion request (what the caller's SDK sent). */
    get lastBody() {
      return lastBody;
    },
    /** The per-request times since the last reset. */
    get log() {
      return log;
    },
    /** Zeroes the counters (not the requests in flight) and the time log. */
    reset() {
      requests = 0;
      maxInFlight = inFlight;
      log = [];
    },
    stats() {
      return { requests, max_in_flight: maxInFlight, in_flight: inFlight };
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };

  const send = (res, status, body) => {
    const json = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
      'x-request-id': `req_${++ids}`,
    });
    res.end(json);
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url?.split('?')[0] !== PATH) {
        send(res, 404, {
          error: {
            message: `Unknown request URL: ${req.method} ${req.url}.`,
            type: 'invalid_request_error',
            param: null,
            code: 'unknown_url',
          },
        });
        return;
      }
      const arrived = performance.now();
      requests++;
      inFlight++;
      if (inFlight > maxInFlight) maxInFlight = inFlight;
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = null;
      }
      lastBody = body;
      const entry = { arrived, answered: null };
      log.push(entry);
      const answer = () => {
        inFlight--;
        if (!body || typeof body.model !== 'string' || !Array.isArray(body.messages)) {
          send(res, 400, {
            error: { message: 'Invalid request.', type: 'invalid_request_error', param: null, code: null },
          });
        } else {
          send(res, 200, completion(`chatcmpl-${++ids}`, body, fake.text));
        }
        entry.answered = performance.now();
      };
      if (fake.latencyMs > 0) setTimeout(answer, fake.latencyMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address();
  fake.url = `http://127.0.0.1:${port}`;
  fake.baseUrl = `${fake.url}/v1`;
  return fake;
}

/** A non-streaming `chat.completion` with one assistant text message. */
function completion(id, body, text) {
  const input = roughTokens(JSON.stringify(body.messages));
  const output = roughTokens(text);
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output },
  };
}

const roughTokens = (text) => Math.max(1, Math.ceil(text.length / 4));
