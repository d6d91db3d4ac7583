/**
 * A per-test sandbox: a temp folder with an `agents/` folder, an optional fake OpenAI server, and Baton cores on
 * them, all closed after each test. Call `useSandbox()` inside a `describe`.
 */
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { startFakeOpenAi } from '../providers/fakes/fake-openai-server.js';
import type { FakeOpenAi, FakeScript, OpenAiRequestBody } from '../providers/fakes/fake-openai-server.js';
import type { Core, CoreOptions } from './core.js';
import { startCore, tempDir } from './core.js';

export interface Sandbox {
  /** The test's temp folder. */
  readonly dir: string;
  /** Where the test writes agent files (`writeAgent(sandbox.agentsDir, …)`). */
  readonly agentsDir: string;
  /** The fake OpenAI server started by `fakeOpenAi`. */
  readonly fake: FakeOpenAi;
  fakeOpenAi(script?: FakeScript<OpenAiRequestBody>): Promise<FakeOpenAi>;
  /** Baton on the sandbox's agents, with the fake (if started) as its OpenAI endpoint. */
  start(options?: CoreOptions): Promise<Core>;
}

export function useSandbox(): Sandbox {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  let fake: FakeOpenAi | null = null;
  const cores: Core[] = [];
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    for (const core of cores.splice(0)) await core.close();
    await fake?.close();
    fake = null;
    await cleanup();
  });
  return {
    get dir() {
      return dir;
    },
    get agentsDir() {
      return path.join(dir, 'agents');
    },
    get fake() {
      if (!fake) throw new Error('no fake LLM: call sandbox.fakeOpenAi() first');
      return fake;
    },
    async fakeOpenAi(script) {
      fake = await startFakeOpenAi(script);
      return fake;
    },
    async start(options = {}) {
      const core = await startCore({
        agents: [path.join(dir, 'agents')],
        env: fake ? { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseUrl } : {},
        ...options,
      });
      cores.push(core);
      return core;
    },
  };
}
