/** The resource URI of a task (SPEC §7): `baton://tasks/{task_id}`. */
export const TASK_PREFIX = 'baton://tasks/';

export const taskUri = (taskId: string): string => `${TASK_PREFIX}${taskId}`;
