/**
 * A plain in-progress task record for the notification benchmark, its payload carrying `payload`; `notRun` is the
 * built code's NOT_RUN (the fields of a task never run).
 */
export function task(id, payload, notRun) {
  const at = new Date().toISOString();
  return {
    id,
    kind: 'delegation',
    delegated_by: 'bench',
    assignee_id: 'listener',
    description: 'notification latency probe',
    payload,
    status: 'in_progress',
    status_message: null,
    priority: 'normal',
    group: null,
    depends_on: [],
    parent_task_id: null,
    root_task_id: id,
    depth: 0,
    timeout_seconds: 600,
    created_at: at,
    started_at: at,
    updated_at: at,
    deadline: null,
    finished_at: null,
    progress: [],
    error: null,
    attempts: 0,
    max_retries: 0,
    session_id: null,
    budget_tokens: null,
    budget_usd: null,
    ...notRun,
  };
}
