/**
 * `baton dispatch AGENT "TASK"`: runs one subagent from the shell. Live progress goes to stderr (a spinner on a
 * terminal, plain lines otherwise); the answer goes to stdout.
 */
import ora from 'ora';
import { createBaton } from '../baton.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';

export interface DispatchCommandInput {
  agent: string;
  task: string;
  context?: string;
  timeoutSeconds?: number;
}

/** Runs the dispatch; resolves to the exit code after printing the answer or the error. */
export async function dispatchCommand(
  config: Config,
  log: Logger,
  input: DispatchCommandInput,
  signal: AbortSignal,
): Promise<number> {
  const baton = await createBaton(config, log);
  const tty = process.stderr.isTTY === true;
  const spinner = tty ? ora({ stream: process.stderr, text: `${input.agent}: starting` }).start() : null;
  const say = (text: string) => {
    if (spinner) spinner.text = `${input.agent}: ${text}`;
    else process.stderr.write(`${input.agent}: ${text}\n`);
  };
  try {
    const outcome = await baton.runtime.dispatch(
      config.as,
      {
        agent_id: input.agent,
        task: input.task,
        ...(input.context !== undefined ? { context: input.context } : {}),
        ...(input.timeoutSeconds !== undefined ? { timeout_seconds: input.timeoutSeconds } : {}),
      },
      { signal, onProgress: (e) => say(e.message), onCreated: (t) => say(`task ${t.id}`) },
    );
    if (outcome.status === 'completed') {
      spinner?.succeed(`${input.agent}: done (task ${outcome.task.id}, session ${outcome.session_id})`);
      if (!tty) process.stderr.write(`${input.agent}: done (task ${outcome.task.id}, session ${outcome.session_id})\n`);
      process.stdout.write(`${outcome.result ?? ''}\n`);
      return 0;
    }
    const message = `${input.agent} ${outcome.status.replace('_', ' ')}: ${outcome.error ?? ''}`;
    if (spinner) spinner.fail(message);
    else process.stderr.write(`${message}\n`);
    return 1;
  } catch (error) {
    spinner?.stop();
    throw error;
  } finally {
    await baton.close();
  }
}
