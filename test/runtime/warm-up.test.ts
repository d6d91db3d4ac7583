import { describe, expect, it, vi } from 'vitest';
import { OpenAiProvider } from '../../src/providers/openai.js';
import { vendorsOf, warmUpOnce } from '../../src/runtime/warm-up.js';
import { writeAgent } from '../helpers/agents.js';
import { useSandbox } from '../helpers/sandbox.js';

describe('warming up at start', () => {
  const sandbox = useSandbox();

  it("names the vendors of the agents' models, and warms each once", async () => {
    await writeAgent(sandbox.agentsDir, 'writer', { model: 'openai:gpt-test' });
    await writeAgent(sandbox.agentsDir, 'asker', { model: 'sampling' });
    const core = await sandbox.start();
    expect([...vendorsOf(core.baton)]).toEqual(['openai']);

    const warm = vi.fn(async () => undefined);
    const once = warmUpOnce({ ...core.baton, providers: { ...core.baton.providers, warm } });
    await Promise.all([once(), once()]);
    await once();
    expect(warm.mock.calls).toEqual([['openai']]);
  });

  it('loads the SDK and builds the client before the first call, which then loads nothing', async () => {
    const loadSdk = vi.fn(() => import('openai'));
    const provider = new OpenAiProvider({ env: { OPENAI_API_KEY: 'k' }, loadSdk });
    expect(loadSdk).not.toHaveBeenCalled();
    await provider.warm();
    expect(loadSdk).toHaveBeenCalledTimes(1);
    await provider.warm();
    expect(loadSdk).toHaveBeenCalledTimes(1);
  });

  it('is started when a client has initialized, and sends nothing', async () => {
    await writeAgent(sandbox.agentsDir, 'writer', { model: 'openai:gpt-test' });
    const fake = await sandbox.fakeOpenAi();
    const core = await sandbox.start();
    const warm = vi.spyOn(core.baton.providers, 'warm');
    await core.connect('host');
    await expect.poll(() => warm.mock.calls).toEqual([['openai']]);
    await warm.mock.results[0]!.value;
    expect(fake.requests).toEqual([]); // nothing is sent to the vendor
  });
});
