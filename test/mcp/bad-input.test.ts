import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core, TestClient } from '../helpers/core.js';
import path from 'node:path';
import { writeAgent } from '../helpers/agents.js';
import { startCore, tempDir } from '../helpers/core.js';

const BIG = 'x'.repeat(1024 * 1024 + 10);
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/** For each tool: [arguments, what the error must say]. */
function cases(taskId: string): Record<string, Array<[Record<string, unknown>, RegExp]>> {
  return {
    delegate_task: [
      [{ description: 'x' }, /assignee_id/],
      [{ assignee_id: 'bob' }, /description/],
      [{ assignee_id: 7, description: 'x' }, /expected string, received number at assignee_id/],
      [{ assignee_id: 'bob', description: 'x', timeout_seconds: 'soon' }, /timeout_seconds/],
      [{ assignee_id: 'bob', description: 'x', payload: BIG }, /payload is \d+ bytes; the limit is 1048576/],
      [{ assignee_id: 'bob', description: 'x', priority: 'asap' }, /priority/],
      [{ assignee_id: 'bob', description: 'x', parent_task_id: UNKNOWN }, /task not found/],
      [{ assignee_id: 'b o b', description: 'x' }, /assignee_id/],
      [{ assignee_id: 'bob', description: 'x', depends_on: 'a task' }, /depends_on/],
      [{ assignee_id: 'bob', description: 'x', depends_on: [UNKNOWN] }, /task not found/],
    ],
    wait_for_tasks: [
      [{}, /give either task_ids or group/],
      [{ task_ids: [] }, /task_ids/],
      [{ task_ids: 'one' }, /task_ids/],
      [{ task_ids: [taskId], mode: 'some' }, /mode/],
      [{ task_ids: [taskId], timeout_seconds: 0 }, /timeout_seconds/],
      [{ task_ids: [UNKNOWN] }, /task not found/],
      [{ group: 'no-such-group' }, /group not found/],
    ],
    merge: [
      [{ task_ids: [taskId] }, /strategy/],
      [{ strategy: 'concat' }, /give either task_ids or group/],
      [{ task_ids: [taskId], strategy: 'x'.repeat(500) }, /strategy/],
      [{ task_ids: [UNKNOWN], strategy: 'concat' }, /task not found/],
      // bob is the assignee, not the delegator.
      [{ task_ids: [taskId], strategy: 'concat' }, /only its delegator can merge it/],
    ],
    report_task_progress: [
      [{ message: 'x' }, /task_id/],
      [{ task_id: taskId }, /message/],
      [{ task_id: 1, message: 'x' }, /task_id/],
      [{ task_id: taskId, message: BIG }, /message/],
      [{ task_id: UNKNOWN, message: 'x' }, /task not found/],
    ],
    complete_task: [
      [{ result: 'x' }, /task_id/],
      [{ task_id: true, result: 'x' }, /task_id/],
      [{ task_id: taskId, result: BIG }, /result is \d+ bytes; the limit is 1048576/],
      [{ task_id: UNKNOWN, result: 'x' }, /task not found/],
    ],
    fail_task: [
      [{ error: 'x' }, /task_id/],
      [{ task_id: taskId }, /error/],
      [{ task_id: taskId, error: 5 }, /error/],
      [{ task_id: taskId, error: BIG }, /error/],
      [{ task_id: UNKNOWN, error: 'x' }, /task not found/],
    ],
    list_tasks: [
      [{ role: 'mine' }, /role/],
      [{ status: 'done' }, /status/],
      [{ status: ['done'] }, /status/],
      [{ limit: 501 }, /<=500 at limit/],
      [{ cursor: 'garbage' }, /cursor/],
    ],
    get_task: [
      [{}, /task_id/],
      [{ task_id: 12 }, /task_id/],
      [{ task_id: 'y'.repeat(1000) }, /task_id/],
      [{ task_id: UNKNOWN }, /task not found/],
    ],
    cancel_task: [
      [{}, /task_id/],
      [{ task_id: [] }, /task_id/],
      [{ task_id: taskId, reason: BIG }, /reason/],
      [{ task_id: UNKNOWN }, /task not found/],
    ],
    send_message: [
      [{ content: 'hi' }, /to_agent_id/],
      [{ to_agent_id: 'carol' }, /content/],
      [{ to_agent_id: 'carol', content: 3 }, /content/],
      [{ to_agent_id: 'carol', content: BIG }, /content/],
      [{ to_agent_id: 'carol', content: 'hi', task_id: UNKNOWN }, /task not found/],
    ],
    subagent_dispatch: [
      [{ task: 'x' }, /agent_id/],
      [{ agent_id: 'helper' }, /task/],
      [{ agent_id: 'helpr', task: 'x' }, /agent_id.*helper|helper.*agent_id/s],
      [{ agent_id: 'helper', task: 42 }, /task/],
      [{ agent_id: 'helper', task: 'x', context: BIG }, /context/],
      [{ agent_id: 'helper', task: 'x', timeout_seconds: -1 }, /timeout_seconds/],
      [{ agent_id: 'helper', task: 'x', session_id: UNKNOWN }, /session not found/],
    ],
    // list_agents takes no arguments, so there is nothing it could be given wrong.
    list_agents: [],
    read_inbox: [
      [{ after: 'later' }, /after/],
      [{ after: -1 }, /after/],
      [{ limit: 10_000 }, /limit/],
    ],
    board_snapshot: [
      [{ after_seq: -1 }, /after_seq/],
      [{ after_seq: 1.5 }, /after_seq/],
      [{ task_ids: 'abc' }, /task_ids/],
      [{ task_ids: Array.from({ length: 101 }, () => UNKNOWN) }, /task_ids/],
    ],
  };
}

describe('bad tool input', () => {
  let core: Core;
  let bob: TestClient;
  let alice: TestClient;
  let taskId: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const tmp = await tempDir();
    cleanup = tmp.cleanup;
    await writeAgent(path.join(tmp.dir, 'agents'), 'helper', { model: 'openai:gpt-test' });
    core = await startCore({ agents: [path.join(tmp.dir, 'agents')] });
    alice = await core.connect('alice');
    bob = await core.connect('bob', { apps: true });
    ({ task_id: taskId } = await alice.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'x',
    }));
  });
  afterAll(async () => {
    await core.close();
    await cleanup();
  });

  it('covers every published tool', async () => {
    const { tools } = await bob.client.listTools();
    expect(Object.keys(cases('t')).sort()).toEqual(tools.map((t) => t.name).sort());
  });

  it.each(Object.keys(cases('t')))(
    '%s: answers each bad call with an error naming the problem, changing nothing',
    async (tool) => {
      const files = async () =>
        Promise.all([readFile(core.storePath, 'utf8'), readFile(`${core.storePath}.journal`, 'utf8')]);
      const before = await files();
      for (const [args, expected] of cases(taskId)[tool]!) {
        // bob is the assignee, so only the argument itself can be at fault.
        const message = await bob.err(tool, args);
        expect(message, `${tool}(${JSON.stringify(args).slice(0, 80)})`).toMatch(expected);
      }
      expect(await files()).toEqual(before);
      // The server is still up and the task untouched.
      const { task } = await bob.ok<{ task: { status: string } }>('get_task', { task_id: taskId });
      expect(task.status).toBe('in_progress');
    },
  );
});
