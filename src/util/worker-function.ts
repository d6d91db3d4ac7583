/**
 * Runs a pure, CPU-heavy function on untrusted input (a caller's regular expression over large results, a large
 * YAML frontmatter) in a worker thread, so that it never blocks the event loop that serves every session.
 *
 * The function must be self-contained: its source text (`fn.toString()`) is what the worker runs, so it may use
 * only its two arguments: the modules it is given (resolved from this package, loaded in the worker with
 * `require`) and its input. Input and output cross the thread boundary by structured clone.
 *
 * One worker per `WorkerFunction`, started on the first call, serving calls one at a time, stopped after a short
 * idle time. A call that runs past its timeout terminates the worker (the next call starts a fresh one).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface WorkerFunctionOptions {
  /** Modules the function receives, by name → package specifier (e.g. `{ yaml: 'yaml' }`). */
  modules: Record<string, string>;
  /** A call running longer than this is abandoned (default 10 s). */
  timeoutMs?: number;
  /** The worker stops after this long without calls (default 2 s). */
  idleMs?: number;
  /** Heap cap of the worker, in MiB (default 256): a call that needs more fails instead of growing the process. */
  maxHeapMb?: number;
}

/** A call that ran past its timeout; the worker was terminated. */
export class WorkerTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`took longer than ${timeoutMs / 1000} s`);
    this.name = 'WorkerTimeoutError';
  }
}

interface Call {
  input: unknown;
  timeoutMs: number;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

type Reply = { ok: true; value: unknown } | { ok: false; message: string };

const resolveModule = createRequire(import.meta.url).resolve;

/** The worker's script: load the modules, then answer each posted input with the function's result. */
function script(fnSource: string): string {
  return `
const { parentPort, workerData } = require('node:worker_threads');
const modules = {};
for (const [name, file] of Object.entries(workerData.modules)) modules[name] = require(file);
const fn = (${fnSource});
parentPort.on('message', (input) => {
  let reply;
  try {
    reply = { ok: true, value: fn(modules, input) };
  } catch (error) {
    reply = { ok: false, message: error && error.message ? String(error.message) : String(error) };
  }
  parentPort.postMessage(reply);
});`;
}

export class WorkerFunction<I, O> {
  private readonly source: string;
  private readonly files: Record<string, string>;
  private worker: Worker | null = null;
  private readonly queue: Call[] = [];
  private current: { call: Call; timer: NodeJS.Timeout } | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    fn: (modules: never, input: I) => O,
    private readonly options: WorkerFunctionOptions,
  ) {
    this.source = fn.toString();
    this.files = Object.fromEntries(Object.entries(options.modules).map(([name, id]) => [name, resolveModule(id)]));
  }

  /** Runs the function on `input` in the worker. Rejects with `WorkerTimeoutError` past the timeout. */
  run(input: I, options: { timeoutMs?: number } = {}): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({
        input,
        timeoutMs: options.timeoutMs ?? this.options.timeoutMs ?? 10_000,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.next();
    });
  }

  /** Stops the worker; queued calls are rejected. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.fail(new Error('the worker was closed'));
    for (const call of this.queue.splice(0)) call.reject(new Error('the worker was closed'));
    await worker?.terminate();
  }

  private next(): void {
    if (this.current || this.queue.length === 0) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const call = this.queue.shift() as Call;
    const worker = this.worker ?? this.start();
    worker.ref(); // a pending call keeps the process alive; an idle worker does not
    const timer = setTimeout(() => {
      this.fail(new WorkerTimeoutError(call.timeoutMs));
      this.stop(worker);
    }, call.timeoutMs);
    this.current = { call, timer };
    worker.postMessage(call.input);
  }

  private start(): Worker {
    const worker = new Worker(script(this.source), {
      eval: true,
      workerData: { modules: this.files },
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? 256 },
      stdout: true, // nothing a module prints may reach our stdout (the MCP protocol in stdio mode)
      stderr: false,
    });
    worker.on('message', (reply: Reply) => {
      const current = this.current;
      if (!current) return;
      clearTimeout(current.timer);
      this.current = null;
      if (reply.ok) current.call.resolve(reply.value);
      else current.call.reject(new Error(reply.message));
      this.settled(worker);
    });
    worker.on('error', (error) => {
      this.fail(error);
      this.stop(worker);
    });
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.fail(new Error('the worker stopped'));
      this.next();
    });
    this.worker = worker;
    return worker;
  }

  /** After a call: the next one, or the idle countdown. */
  private settled(worker: Worker): void {
    if (this.queue.length > 0) return this.next();
    worker.unref();
    this.idleTimer = setTimeout(() => this.stop(worker), this.options.idleMs ?? 2000);
    this.idleTimer.unref();
  }

  /** Rejects the call in flight, if any. */
  private fail(error: Error): void {
    const current = this.current;
    if (!current) return;
    clearTimeout(current.timer);
    this.current = null;
    current.call.reject(error);
  }

  private stop(worker: Worker): void {
    if (this.worker === worker) this.worker = null;
    void worker.terminate();
    this.next();
  }
}
