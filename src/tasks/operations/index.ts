/** Every operation both surfaces expose, by name. */
import { delegateTask } from './delegate-task.js';
import { merge } from './merge.js';
import { readInbox, sendMessage } from './messages.js';
import type { Operation } from './operation.js';
import { subagentDispatch } from './subagent-dispatch.js';
import { cancelTask, getTask, listTasks, waitForTasks } from './task-reads.js';
import { completeTask, failTask, reportTaskProgress } from './task-writes.js';

export const OPERATIONS = {
  subagent_dispatch: subagentDispatch,
  delegate_task: delegateTask,
  report_task_progress: reportTaskProgress,
  complete_task: completeTask,
  fail_task: failTask,
  list_tasks: listTasks,
  get_task: getTask,
  cancel_task: cancelTask,
  send_message: sendMessage,
  read_inbox: readInbox,
  wait_for_tasks: waitForTasks,
  merge,
} as const satisfies Record<string, Operation>;

export type OperationName = keyof typeof OPERATIONS;

export {
  cancelTask,
  completeTask,
  delegateTask,
  failTask,
  getTask,
  listTasks,
  merge,
  readInbox,
  reportTaskProgress,
  sendMessage,
  subagentDispatch,
  waitForTasks,
};
