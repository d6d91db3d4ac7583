/**
 * What the viewer may do with a task: cancel it (only its delegator, only while it runs: SPEC §4 `cancel_task`)
 * and send a message to the other party. The server checks again; the page only leaves out what cannot work.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { BoardTask } from '../model/task.js';
import { isTerminal } from '../model/task.js';
import { useBoard } from './context.js';

type Step = { kind: 'idle' } | { kind: 'form' } | { kind: 'busy' } | { kind: 'error'; message: string };

/**
 * An action's fields and buttons, without a <form>: a host may frame the MCP App without `allow-forms`, and there
 * a form's submission is blocked (with a console error) before any submit handler runs. Enter in a one-line field
 * submits, as in a form; Escape closes.
 */
function ActionPanel(props: {
  labelledBy?: string;
  label?: string;
  onSubmit(): void;
  onClose(): void;
  children: ComponentChildren;
}) {
  return (
    <div
      class="action-form"
      role="group"
      aria-labelledby={props.labelledBy}
      aria-label={props.label}
      onKeyDown={(event) => {
        if (event.key === 'Escape') props.onClose();
        else if (event.key === 'Enter' && event.target instanceof HTMLInputElement) {
          event.preventDefault();
          props.onSubmit();
        }
      }}
    >
      {props.children}
    </div>
  );
}

export function TaskActions({ task, subtasks }: { task: BoardTask; subtasks: number }) {
  const { viewer } = useBoard();
  if (!viewer) return null;
  const canCancel = !isTerminal(task.status) && task.delegatedBy === viewer.id;
  const recipients = [...new Set([task.assigneeId, task.delegatedBy])].filter((agent) => agent && agent !== viewer.id);
  if (!canCancel && recipients.length === 0) return null;
  return (
    <div class="actions">
      {recipients.length > 0 && <MessageAction task={task} recipients={recipients} />}
      {canCancel && <CancelAction task={task} subtasks={subtasks} />}
    </div>
  );
}

/**
 * An action's steps: closed (its button), open (the panel, focus on its first field), busy, or showing an error.
 * Closing puts the focus back on the button that opened it.
 */
function useActionSteps<Field extends HTMLElement>() {
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const field = useRef<Field>(null);
  const opener = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (step.kind === 'form') field.current?.focus();
  }, [step.kind]);
  const close = () => {
    setStep({ kind: 'idle' });
    requestAnimationFrame(() => opener.current?.focus());
  };
  return { step, setStep, field, opener, close };
}

function CancelAction({ task, subtasks }: { task: BoardTask; subtasks: number }) {
  const { source, say, focusRow } = useBoard();
  const { step, setStep, field: reasonInput, opener, close } = useActionSteps<HTMLInputElement>();
  const [reason, setReason] = useState('');
  const submit = async () => {
    if (step.kind === 'busy') return;
    setStep({ kind: 'busy' });
    const outcome = await source.cancel(task.id, reason.trim() || undefined);
    if (!outcome.ok) return setStep({ kind: 'error', message: outcome.message });
    say(outcome.message);
    setStep({ kind: 'idle' });
    // The button goes once the task ends: keep the keyboard on the task.
    focusRow(task.id);
  };
  if (step.kind === 'idle') {
    return (
      <button type="button" class="button danger-outline" ref={opener} onClick={() => setStep({ kind: 'form' })}>
        Cancel task…
      </button>
    );
  }
  const formId = `cancel-${task.id}`;
  return (
    <ActionPanel labelledBy={`${formId}-title`} onSubmit={() => void submit()} onClose={close}>
      <p id={`${formId}-title`} class="action-title">
        Cancel this task{subtasks > 0 ? ` and every task under it that has not ended` : ''}? Its agent is stopped.
      </p>
      <label for={`${formId}-reason`}>Reason (optional, shown to the assignee)</label>
      <input
        id={`${formId}-reason`}
        ref={reasonInput}
        type="text"
        maxLength={10_000}
        value={reason}
        onInput={(event) => setReason(event.currentTarget.value)}
      />
      {step.kind === 'error' && (
        <p class="error" role="alert">
          {step.message}
        </p>
      )}
      <div class="buttons">
        <button type="button" class="button danger" disabled={step.kind === 'busy'} onClick={() => void submit()}>
          {step.kind === 'busy' ? 'Cancelling…' : 'Cancel task'}
        </button>
        <button type="button" class="button" onClick={close}>
          Keep running
        </button>
      </div>
    </ActionPanel>
  );
}

function MessageAction({ task, recipients }: { task: BoardTask; recipients: string[] }) {
  const { source, say } = useBoard();
  const { step, setStep, field: text, opener, close } = useActionSteps<HTMLTextAreaElement>();
  const [to, setTo] = useState(recipients[0] ?? '');
  const [content, setContent] = useState('');
  const submit = async () => {
    if (step.kind === 'busy') return;
    if (!content.trim()) return setStep({ kind: 'error', message: 'Write a message first.' });
    setStep({ kind: 'busy' });
    const outcome = await source.sendMessage({ to_agent_id: to, content, task_id: task.id });
    if (!outcome.ok) return setStep({ kind: 'error', message: outcome.message });
    say(outcome.message);
    setContent('');
    close();
  };
  if (step.kind === 'idle') {
    return (
      <button type="button" class="button" ref={opener} onClick={() => setStep({ kind: 'form' })}>
        {recipients.length === 1 ? `Message ${recipients[0]}…` : 'Send a message…'}
      </button>
    );
  }
  const formId = `message-${task.id}`;
  return (
    <ActionPanel label={`Message about task ${task.id}`} onSubmit={() => void submit()} onClose={close}>
      {recipients.length > 1 ? (
        <>
          <label for={`${formId}-to`}>To</label>
          <select id={`${formId}-to`} value={to} onChange={(event) => setTo(event.currentTarget.value)}>
            {recipients.map((agent) => (
              <option key={agent} value={agent}>
                {agent}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <label for={`${formId}-text`}>Message to {to}</label>
      <textarea
        id={`${formId}-text`}
        ref={text}
        rows={3}
        value={content}
        onInput={(event) => setContent(event.currentTarget.value)}
        onKeyDown={(event) => {
          // Ctrl/⌘+Enter sends, as in most chat boxes.
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void submit();
        }}
      />
      {step.kind === 'error' && (
        <p class="error" role="alert">
          {step.message}
        </p>
      )}
      <div class="buttons">
        <button type="button" class="button primary" disabled={step.kind === 'busy'} onClick={() => void submit()}>
          {step.kind === 'busy' ? 'Sending…' : 'Send'}
        </button>
        <button type="button" class="button" onClick={close}>
          Discard
        </button>
      </div>
    </ActionPanel>
  );
}
