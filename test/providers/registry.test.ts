import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, ProviderError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { createProviderRegistry } from '../../src/providers/registry.js';
import type { CreateMessage } from '../../src/providers/sampling.js';
import { startFakeAnthropic, type FakeAnthropic } from './fakes/fake-anthropic-server.js';
import { startFakeOpenAi, type FakeOpenAi } from './fakes/fake-openai-server.js';
import { helloRequest } from './fixtures/conversation.js';

const retry = { retries: 2, baseDelayMs: 1, maxDelayMs: 10 };
const clientSampling: CreateMessage = async () => ({
  role: 'assistant',
  content: { type: 'text', text: 'sampled' },
  model: 'client-model',
});

describe('createProviderRegistry', () => {
  let fakes: (FakeOpenAi | FakeAnthropic)[] = [];
  afterEach(async () => {
    await Promise.all(fakes.map((fake) => fake.close()));
    fakes = [];
  });

  it('reports each provider usable only when its key is set or the session offers sampling', () => {
    const registry = createProviderRegistry({
      env: { OPENAI_API_KEY: 'sk' },
      samplingFor: (sessionId) => (sessionId === 'with-sampling' ? clientSampling : undefined),
    });
    expect(registry.isUsable('openai')).toBe(true);
    expect(registry.isUsable('anthropic')).toBe(false);
    expect(registry.isUsable('sampling')).toBe(false);
    expect(registry.isUsable('sampling', 'plain-client')).toBe(false);
    expect(registry.isUsable('sampling', 'with-sampling')).toBe(true);
  });

  it('reports a placeholder key as unusable, saying why', () => {
    const registry = createProviderRegistry({ env: { ANTHROPIC_API_KEY: 'sk-ant-…' } });
    expect(registry.isUsable('anthropic')).toBe(false);
    expect(registry.keyProblem('anthropic')).toMatch(/^ANTHROPIC_API_KEY is not a valid key/);
    expect(registry.keyProblem('openai')).toBe('OPENAI_API_KEY is not set');
  });

  it('builds a vendor provider once and returns the same instance afterwards', () => {
    const registry = createProviderRegistry({ env: { ANTHROPIC_API_KEY: 'k' } });
    expect(registry.get('anthropic')).toBe(registry.get('anthropic'));
    expect(registry.get('anthropic').name).toBe('anthropic');
  });

  it('rejects at once naming the variable when the key is missing, without any request', async () => {
    const registry = createProviderRegistry({ env: {}, retry });
    await expect(registry.complete('anthropic', helloRequest)).rejects.toMatchObject({
      code: 'missing_key',
      message: expect.stringContaining('ANTHROPIC_API_KEY'),
    });
    expect(() => registry.get('openai')).toThrow(/OPENAI_API_KEY/);
  });

  it('fails with sampling_unavailable when the calling client did not declare sampling', async () => {
    const registry = createProviderRegistry({ env: {}, samplingFor: () => undefined });
    await expect(registry.complete('sampling', helloRequest, 's1')).rejects.toMatchObject({
      code: 'sampling_unavailable',
      message: expect.stringContaining('sampling capability'),
    });
  });

  it("runs a turn through the session's client when the provider is sampling", async () => {
    const registry = createProviderRegistry({ env: {}, samplingFor: () => clientSampling });
    await expect(registry.complete('sampling', helloRequest, 's1')).resolves.toMatchObject({ text: 'sampled' });
  });

  it('retries a 429 and logs the retry to stderr when completing through a vendor', async () => {
    const fake = await startFakeOpenAi([{ status: 429 }, { text: 'after retry' }]);
    fakes.push(fake);
    const lines: string[] = [];
    const registry = createProviderRegistry({
      env: { OPENAI_API_KEY: 'sk', OPENAI_BASE_URL: fake.baseUrl },
      retry,
      log: createLogger('warn', (line) => lines.push(line)),
    });
    await expect(registry.complete('openai', helloRequest)).resolves.toMatchObject({ text: 'after retry' });
    expect(fake.requests).toHaveLength(2);
    expect(lines.join('')).toContain('openai: retrying after a transient error');
  });

  it("fails with the provider's message when the retries run out", async () => {
    const fake = await startFakeAnthropic({ defaultReply: { status: 529 } });
    fakes.push(fake);
    const registry = createProviderRegistry({
      env: { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: fake.baseUrl },
      retry,
    });
    const failure = registry.complete('anthropic', helloRequest);
    await expect(failure).rejects.toThrow(ProviderError);
    await expect(failure).rejects.toThrow('anthropic: HTTP 529: Overloaded');
    expect(fake.requests).toHaveLength(3);
  });

  it('cancels the HTTP request and the retry loop when the request signal aborts', async () => {
    const fake = await startFakeAnthropic({ defaultReply: { hang: true } });
    fakes.push(fake);
    const registry = createProviderRegistry({
      env: { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: fake.baseUrl },
      retry,
    });
    const controller = new AbortController();
    const pending = registry.complete('anthropic', { ...helloRequest, signal: controller.signal });
    await fake.waitFor(() => fake.requests.length === 1);
    controller.abort();
    await expect(pending).rejects.toThrow(CancelledError);
    await fake.waitFor(() => fake.aborted === 1);
    expect(fake.requests).toHaveLength(1);
  });
});
