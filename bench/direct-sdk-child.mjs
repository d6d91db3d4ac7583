/**
 * The direct `openai` SDK calls of the benchmarks' floors, made from a child process as Baton's server makes its
 * own: every SDK call, Baton's or the floor's, crosses a process boundary to reach the fake LLM, which stays in the
 * benchmark's process. (An SDK call from the fake's own process pays no such hop, which no server can match.)
 *
 *   const direct = new DirectChild(fake.baseUrl);
 *   const { answers, t0 } = await direct.request({ n: 100, body, text }); // ms from t0 to each answer; t0 epoch ms
 *   direct.kill();
 *
 * One request at a time over IPC; the child times its calls itself, so the IPC is not in the figures.
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { monotonicMs } from './util.mjs';

export class DirectChild {
  constructor(baseUrl) {
    this.pending = null;
    this.proc = fork(fileURLToPath(import.meta.url), ['--direct-child', baseUrl], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.pid = this.proc.pid;
    this.proc.on('message', (message) => {
      const pending = this.pending;
      this.pending = null;
      if (message.error) pending?.reject(new Error(`direct SDK child: ${message.error}`));
      else pending?.resolve(message);
    });
    this.proc.on('exit', (code, signal) => {
      this.pending?.reject(new Error(`direct SDK child exited (${signal ?? code})`));
      this.pending = null;
    });
  }

  /**
   * `n` calls at once with `body`, each checked to answer `text`: {answers: ms from t0 to each, t0: on the monotonic
   * clock (`monotonicMs`)}.
   */
  request(message) {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.proc.send(message);
    });
  }

  kill() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

async function directChild(baseUrl) {
  const { default: OpenAI } = await import('openai');
  const openai = new OpenAI({ apiKey: 'x', baseURL: baseUrl, maxRetries: 0 });
  process.on('message', async ({ n, body, text }) => {
    try {
      const t0 = performance.now();
      const m0 = monotonicMs(); // t0 on the clock the parent shares
      const answers = await Promise.all(
        Array.from({ length: n }, async () => {
          const completion = await openai.chat.completions.create(body);
          if (completion.choices[0]?.message?.content !== text) throw new Error('unexpected completion');
          return performance.now() - t0;
        }),
      );
      process.send({ answers, t0: m0 });
    } catch (error) {
      process.send({ error: error?.stack ?? String(error) });
    }
  });
}

if (process.argv[2] === '--direct-child' && process.send) {
  process.on('disconnect', () => process.exit(0));
  await directChild(process.argv[3]);
}
