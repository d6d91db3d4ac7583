/** Tool results with images (a workspace Read of a picture, an MCP server's image) in each vendor's format. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnthropicProvider, toAnthropicRequest } from '../../src/providers/anthropic.js';
import { createModelResolver } from '../../src/providers/model-resolver.js';
import { toOpenAiRequest } from '../../src/providers/openai.js';
import { toSamplingRequest } from '../../src/providers/sampling.js';
import type { ModelRequest } from '../../src/providers/types.js';
import { startFakeAnthropic } from './fakes/fake-anthropic-server.js';
import type { FakeAnthropic } from './fakes/fake-anthropic-server.js';

const withImage: ModelRequest = {
  model: 'm',
  system: '',
  tools: [],
  messages: [
    { role: 'user', content: 'Look at the logo.' },
    { role: 'assistant', content: '', toolCalls: [{ id: 't1', name: 'Read', arguments: { file_path: 'logo.png' } }] },
    {
      role: 'tool',
      toolCallId: 't1',
      name: 'Read',
      content: 'logo.png: an image',
      images: [{ mimeType: 'image/png', data: 'iVBORw0KGgo=' }],
    },
    { role: 'user', content: 'And?' },
  ],
};

describe('tool results with images', () => {
  it('go into the Anthropic tool_result as image blocks', () => {
    const params = toAnthropicRequest(withImage);
    expect(params.messages[2]).toEqual({
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 't1',
          content: [
            { type: 'text', text: 'logo.png: an image' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
      ],
    });
  });

  it('follow the OpenAI tool messages as one user message with image parts', () => {
    const params = toOpenAiRequest(withImage);
    expect(params.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 't1', content: 'logo.png: an image' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'The images returned by the tool calls above:' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        ],
      },
      { role: 'user', content: 'And?' },
    ]);
  });

  it('are named, not sent, through sampling', () => {
    const params = toSamplingRequest(withImage);
    expect(params.messages[2]?.content.text).toMatch(/\[an image of type image\/png, not shown\]/);
  });
});

describe('a deprecated Anthropic model', () => {
  let fake: FakeAnthropic | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await fake?.close();
  });

  it("logs one warning per model, and the SDK's per-call console notice is muted", async () => {
    const warn = vi.spyOn(console, 'warn');
    const warnings: string[] = [];
    const models = createModelResolver({
      catalog: () => ({ models: ['claude-sonnet-4-5'], deprecated: { 'claude-sonnet-4-5': 'soon' }, source: 'test' }),
      log: { debug() {}, info() {}, error() {}, warn: (m) => void warnings.push(m) },
    });
    fake = await startFakeAnthropic([{ text: 'one' }, { text: 'two' }, { text: 'three' }]);
    const provider = new AnthropicProvider({ env: { ANTHROPIC_API_KEY: 'sk-ant', ANTHROPIC_BASE_URL: fake.baseUrl } });
    for (let i = 0; i < 3; i++) {
      const { model } = models.resolve('anthropic:claude-sonnet-4-5');
      await provider.complete({ model, system: '', messages: [{ role: 'user', content: 'hi' }], tools: [] });
    }
    expect(fake.requests.map((r) => r.body.model)).toEqual([
      'claude-sonnet-4-5',
      'claude-sonnet-4-5',
      'claude-sonnet-4-5',
    ]);
    expect(warnings).toHaveLength(1);
    expect(warn).not.toHaveBeenCalled();
  });
});
