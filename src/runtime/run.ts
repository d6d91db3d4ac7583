/**
 * A run: what a process does with a task it holds, from its claim to its end (SPEC §5, §8). It ends the task: with
 * the agent's `complete_task` / `fail_task`, its plain final answer, or a failure once the retries are used. A task
 * taken from the store after its runner died is first judged by SPEC §5: run again while attempts remain, else
 * failed as interrupted. When the task ends some other way (cancelled, timed out), its claim is lost, or Baton
 * stops, the run is aborted and records nothing.
 */
import { ConfigError, LeaseLostError, errorMessage } from '../errors.js';
import { newId } from '../model/ids.js';
import { isTerminal } from '../model/task.js';
import type { ProviderName } from '../providers/types.js';
import type { Transaction } from '../store/task-store.js';
import type { RunSpend } from '../tasks/task-service.js';
import { checkJsonValue } from '../tasks/json-value.js';
import { runAttempt } from './attempt.js';
import type { RunDeps } from './run-deps.js';
import { SpendMeter } from './spend-meter.js';
import type { RunHandle } from './worker.js';

export const INTERRUPTED = 'interrupted: the Baton process running it stopped';
export const SAMPLING_GONE = "interrupted: it ran on the host's model through sampling, and that client is gone";

export async function runTask(deps: RunDeps, run: RunHandle): Promise<void> {
  const { tasks, log } = deps;
  const task = run.task;
  const sessionId = task.session_id ?? newId();
  try {
    const fail = (error: string) =>
      run.ready
        .then(() => tasks.fail(task.assignee_id, { task_id: task.id, error }, { fence: run.claim }))
        .then(
          () => undefined,
          (failure: unknown) => {
            if (!run.signal.aborted && !(failure instanceof LeaseLostError)) {
              log.warn('could not fail the task', { task_id: task.id, error: errorMessage(failure) });
            }
          },
        );
    const agent = deps.agents.get(task.assignee_id);
    if (!agent) return await fail(`agent ${task.assignee_id} is no longer defined`);
    if (run.fromStore) {
      if (task.affinity !== null && task.affinity !== run.claim.runner) return await fail(SAMPLING_GONE);
      if (task.attempts > task.max_retries) return await fail(INTERRUPTED);
    }
    // A task created here whose run started at once had its first attempt recorded as it was created.
    let recordedFirst = !run.fromStore && task.attempts === 1;
    if (recordedFirst) run.inAttempt = true; // a stop before the attempt gets under way refunds it too
    let attempts = recordedFirst ? 0 : task.attempts;
    let meter: SpendMeter | null = null;
    const meterFor = (provider: ProviderName) =>
      (meter = new SpendMeter(tasks, run.claim, attempts, provider, deps.prices));
    for (;;) {
      meter = null;
      try {
        const outcome = await deps.scheduler.run(
          task.priority,
          () => {
            run.inAttempt = true;
            const recorded = recordedFirst && attempts === 0;
            recordedFirst = false;
            return runAttempt(deps, run, agent, ++attempts, sessionId, meterFor, recorded);
          },
          {
            signal: run.signal,
            onQueued: () => {
              // Queued after all: the attempt recorded with the task has not started.
              const undo = recordedFirst;
              recordedFirst = false;
              if (undo) run.inAttempt = false;
              void run.ready
                .then(() => tasks.updateRun(run.claim, { status_message: 'queued', ...(undo ? { attempts: 0 } : {}) }))
                .catch(() => undefined);
            },
          },
        );
        const now = await tasks.peek(task.id);
        const answers = now !== undefined && !isTerminal(now.status);
        // SPEC §10: the final answer is a result, held to the same limits; a longer one fails this attempt before
        // the conversation that holds it is saved.
        if (answers) checkJsonValue(outcome.text, "the agent's final answer");
        const save = (tx: Transaction) => deps.sessions.save(tx, sessionId, agent, task.delegated_by, outcome.messages);
        // One write for both: the answer and the conversation (unless a tool already ended the task).
        const spend = takeSpend(meter);
        if (answers) {
          run.ending = true;
          const completion: Promise<unknown> = tasks.complete(
            agent.id,
            { task_id: task.id, result: outcome.text },
            { fence: run.claim, also: save, spend, onWritten: () => run.onAnswered?.(completion) },
          );
          await completion;
        } else {
          await tasks.spending.saveWith(task.id, save, spend);
        }
        run.inAttempt = false;
        return;
      } catch (error) {
        run.ending = false;
        // The task ended some other way, another runner has it, or Baton is stopping: nothing to record.
        if (run.signal.aborted || error instanceof LeaseLostError) return;
        run.inAttempt = false;
        // An attempt may fail before its task's creation is acknowledged (no model to reach, say).
        if (
          !(await run.ready.then(
            () => true,
            () => false,
          ))
        )
          return;
        // What the attempt spent before it failed counts all the same (it may spend a budget, ending the task).
        const spend = takeSpend(meter);
        if (spend) await tasks.spending.record(run.claim, spend).catch(quietly(run));
        const now = await tasks.peek(task.id);
        if (!now || isTerminal(now.status)) return;
        const message = errorMessage(error);
        if (attempts <= now.max_retries && !(error instanceof ConfigError)) {
          const delay = deps.retryBaseMs * 2 ** (attempts - 1);
          log.warn('subagent attempt failed; retrying', { task_id: task.id, attempt: attempts, delay, error: message });
          await tasks
            .updateRun(run.claim, { status_message: `attempt ${attempts} failed (${message}); retrying` })
            .catch(quietly(run));
          if (!(await sleep(delay, run.signal))) return;
          continue;
        }
        return await fail(message);
      }
    }
  } finally {
    deps.samplers.forget(sessionId);
    deps.workspaces.forgetSession(sessionId);
    deps.workspaces.release(task.id);
  }
}

function takeSpend(meter: SpendMeter | null): RunSpend | null {
  return meter?.take() ?? null;
}

/** Swallows what a run that stopped (aborted, or its claim lost) may meet; anything else is thrown on. */
function quietly(run: RunHandle): (error: unknown) => void {
  return (error) => {
    if (run.signal.aborted || error instanceof LeaseLostError) return;
    throw error;
  };
}

/** Waits `ms`; false if `signal` aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
