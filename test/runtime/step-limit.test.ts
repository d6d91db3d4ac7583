/** Running out of steps is the agent's behaviour, not the caller's bad input (issue 9, item 7). */
import { describe, expect, it } from 'vitest';
import { AgentError, InputError } from '../../src/errors.js';
import { StepLimitError } from '../../src/runtime/agent-loop.js';
import { writeAgent } from '../helpers/agents.js';
import { useSandbox } from '../helpers/sandbox.js';

describe('StepLimitError', () => {
  const sandbox = useSandbox();

  it('is an AgentError with its own code, never an InputError', () => {
    const error = new StepLimitError(3);
    expect(error).toBeInstanceOf(AgentError);
    expect(error).not.toBeInstanceOf(InputError);
    expect(error.code).toBe('max_steps');
  });

  it('fails the task with the reason when the model keeps calling tools past max_steps', async () => {
    await sandbox.fakeOpenAi({
      defaultReply: { toolCalls: [{ name: 'read_inbox', arguments: {} }] },
    });
    await writeAgent(sandbox.agentsDir, 'looper', { model: 'openai:gpt-test', max_steps: 2 });
    const core = await sandbox.start();
    const host = await core.connect('host');
    const error = await host.err('subagent_dispatch', { agent_id: 'looper', task: 'go round' });
    expect(error).toBe('looper failed: the agent used all 2 steps without giving a final answer');
  });
});
