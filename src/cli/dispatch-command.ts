/**
 * `baton dispatch AGENT "TASK"`: runs one subagent from the shell. Live progress goes to stderr (one redrawn line
 * on a terminal, plain lines otherwise); the answer goes to stdout. SIGINT or SIGTERM cancels the task, flushes
 * the store and exits 130 / 143.
 */
import { createBaton } from '../baton.js';
import { ConfigError } from '../errors.js';
import { createLogger } from '../log.js';
import type { CommandSpec } from './command.js';
import { EXIT, signalExitCode } from './command.js';
import { loadConfig } from './load-config.js';
import { progressLine } from './progress-line.js';
import { resultText } from '../runtime/merge-strategies.js';

export const dispatchCommand: CommandSpec = {
  name: 'dispatch',
  summary: 'run one subagent from the shell: live progress on stderr, the answer on stdout',
  arguments: [
    ['<agent>', 'the agent id'],
    ['<task>', 'what the agent should do'],
  ],
  groups: ['agents', 'store', 'runtime', 'config'],
  options: [
    { flags: '--context <text>', description: 'background for the agent, appended to the task' },
    { flags: '--timeout <seconds>', description: 'stop the run after this many seconds' },
  ],
  async run([agent, task], flags, { stop }) {
    const timeout = flags.timeout === undefined ? undefined : Number(flags.timeout);
    if (timeout !== undefined && !(timeout > 0))
      throw new ConfigError(`invalid --timeout: expected a number of seconds > 0 (got "${String(flags.timeout)}")`);
    const config = loadConfig(flags);
    const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
    // A one-shot run of one agent: it takes no other task from the store (a server or `baton worker` does).
    const baton = await createBaton(config, log, { takesQueued: false });
    const line = progressLine(process.stderr);
    let taskId: string | null = null;
    try {
      const outcome = await baton.runtime.dispatch(
        config.as,
        {
          agent_id: agent!,
          task: task!,
          ...(typeof flags.context === 'string' ? { context: flags.context } : {}),
          ...(timeout !== undefined ? { timeout_seconds: timeout } : {}),
        },
        {
          signal: stop,
          onProgress: (e) => line.update(`${agent}: ${e.message}`),
          onStarted: (t) => line.update(`${agent}: task ${(taskId = t.id)}`),
        },
      );
      const { task: done } = outcome;
      if (stop.aborted) {
        line.done(`${agent}: stopped by ${String(stop.reason)}; task ${done.id} is ${done.status}`, false);
        return signalExitCode(stop.reason);
      }
      if (done.status === 'completed') {
        line.done(`${agent}: done (task ${done.id}, session ${outcome.session_id})`, true);
        process.stdout.write(`${resultText(done.result)}\n`);
        return EXIT.ok;
      }
      line.done(`${agent} ${done.status.replace('_', ' ')}: ${done.error ?? ''}`, false);
      return EXIT.failed;
    } catch (error) {
      if (!stop.aborted) {
        line.stop();
        throw error;
      }
      line.done(`${agent}: stopped by ${String(stop.reason)}${taskId ? `; task ${taskId} cancelled` : ''}`, false);
      return signalExitCode(stop.reason);
    } finally {
      // Every change of the run is on disk before the process exits.
      await baton.close();
    }
  },
};
