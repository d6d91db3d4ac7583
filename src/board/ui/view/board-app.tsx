/** The board: holds the tasks a source delivers, the viewer's filters and open rows, and lays out the page. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { announce, applyChanges, applySnapshot, EMPTY_BOARD } from '../model/board-data.js';
import type { BoardData, TaskChange } from '../model/board-data.js';
import { facets, filterForest, isFiltering, NO_FILTER } from '../model/filters.js';
import type { BoardFilter } from '../model/filters.js';
import { buildForest, walk } from '../model/forest.js';
import { pinnedTrees } from '../model/pins.js';
import { sumUsage } from '../model/usage.js';
import type { BoardSource, Connection, Viewer } from '../source/board-source.js';
import { BoardContext } from './context.js';
import type { BoardContextValue } from './context.js';
import { ConnectionBanner, Header } from './header.js';
import { TaskForest } from './task-forest.js';
import { TokenPrompt } from './token-prompt.js';
import { Toolbar } from './toolbar.js';

/** Live-region batches: one sentence a second at most. */
const ANNOUNCE_EVERY_MS = 1000;

export function BoardApp({ source }: { source: BoardSource }) {
  const [data, setData] = useState<BoardData>(EMPTY_BOARD);
  // The latest data outside the render cycle, so that changes arriving between two renders build on each other.
  const held = useRef<BoardData>(EMPTY_BOARD);
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [connection, setConnection] = useState<Connection>({ state: 'connecting' });
  const [filter, setFilter] = useState<BoardFilter>(NO_FILTER);
  const [open, setOpenSet] = useState<ReadonlySet<string>>(new Set());
  const [pins, setPins] = useState<ReadonlySet<string>>(new Set());
  const [showAll, setShowAll] = useState(false);
  const [spoken, setSpoken] = useState('');
  const heard = useRef<TaskChange[]>([]);
  const speakTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    const flush = () => {
      speakTimer.current = undefined;
      const sentence = announce(heard.current.splice(0));
      if (sentence) setSpoken(sentence);
    };
    const onHeard = (changes: TaskChange[]) => {
      heard.current.push(...changes);
      speakTimer.current ??= setTimeout(flush, ANNOUNCE_EVERY_MS);
    };
    source.start({
      viewer: setViewer,
      snapshot: (seq, tasks) => {
        held.current = applySnapshot(seq, tasks);
        setData(held.current);
      },
      changes: (seq, tasks) => {
        const next = applyChanges(held.current, seq, tasks);
        held.current = next.data;
        setData(next.data);
        if (next.changes.length) onHeard(next.changes);
      },
      connection: setConnection,
      pin: (ids) => setPins(new Set(ids)),
    });
    return () => {
      source.stop();
      clearTimeout(speakTimer.current);
    };
  }, [source]);

  const context = useMemo<BoardContextValue>(
    () => ({
      source,
      viewer,
      toggle: (id) =>
        setOpenSet((current) => {
          const next = new Set(current);
          if (!next.delete(id)) next.add(id);
          return next;
        }),
      setOpen: (id, value) =>
        setOpenSet((current) => {
          if (current.has(id) === value) return current;
          const next = new Set(current);
          if (value) next.add(id);
          else next.delete(id);
          return next;
        }),
      say: setSpoken,
      focusRow: (id) =>
        requestAnimationFrame(() =>
          document.querySelector<HTMLButtonElement>(`button[data-row="${CSS.escape(id)}"]`)?.focus(),
        ),
    }),
    [source, viewer],
  );

  const forest = useMemo(() => buildForest(data.tasks.values()), [data.tasks]);
  const pinned = pins.size > 0 && !showAll;
  const trees = useMemo(
    () => (pinned ? pinnedTrees(forest, pins, data.tasks) : forest),
    [forest, pinned, pins, data.tasks],
  );
  const visible = useMemo(() => filterForest(trees, filter), [trees, filter]);
  // What the filters offer, and the counts on them, are those of the trees shown (a host's pinned call, or all).
  const offered = useMemo(() => facets([...walk(trees)].map((node) => node.task)), [trees]);
  const usage = useMemo(() => sumUsage(trees.map((node) => node.task.usageTotal ?? node.task.usage)), [trees]);
  const showUsage = useMemo(() => [...data.tasks.values()].some((task) => task.usage || task.usageTotal), [data.tasks]);

  useEffect(() => {
    const running = offered.counts.in_progress;
    document.title = running > 0 ? `Baton · ${running} running` : 'Baton · task board';
  }, [offered.counts.in_progress]);

  const signIn = source.signIn?.bind(source);
  if (connection.state === 'needs-token' && signIn) {
    return (
      <BoardContext.Provider value={context}>
        <Header connection={connection} viewer={null} />
        <main class="page">
          <TokenPrompt refused={connection.refused} onToken={signIn} />
        </main>
        <LiveRegion text={spoken} />
      </BoardContext.Provider>
    );
  }

  return (
    <BoardContext.Provider value={context}>
      <Header connection={connection} viewer={viewer} onSignOut={source.signOut?.bind(source)} />
      <ConnectionBanner connection={connection} />
      <main class="page">
        {pins.size > 0 && (
          <div class="scope" role="group" aria-label="Which tasks">
            <button
              type="button"
              class="chip"
              aria-pressed={showAll ? 'false' : 'true'}
              onClick={() => setShowAll(false)}
            >
              This call’s work
            </button>
            <button
              type="button"
              class="chip"
              aria-pressed={showAll ? 'true' : 'false'}
              onClick={() => setShowAll(true)}
            >
              All my tasks
            </button>
          </div>
        )}
        <Toolbar
          filter={filter}
          facets={offered}
          shown={visible.length}
          total={trees.length}
          usage={usage}
          onChange={setFilter}
        />
        <h2 class="visually-hidden">Task trees</h2>
        {!data.loaded ? (
          <p class="empty">Loading tasks…</p>
        ) : visible.length > 0 ? (
          <TaskForest nodes={visible} open={open} filtering={isFiltering(filter)} showUsage={showUsage} />
        ) : trees.length > 0 ? (
          <div class="empty">
            <p>No task matches these filters.</p>
            <button type="button" class="button" onClick={() => setFilter(NO_FILTER)}>
              Clear filters
            </button>
          </div>
        ) : (
          <div class="empty">
            <p>No tasks yet.</p>
            <p class="muted">
              Tasks appear here the moment an agent delegates one (<code>delegate_task</code>) or dispatches a subagent
              (<code>subagent_dispatch</code>).
            </p>
          </div>
        )}
      </main>
      <LiveRegion text={spoken} />
    </BoardContext.Provider>
  );
}

/** The aria-live region: new tasks, status changes and the outcome of actions, read out politely. */
function LiveRegion({ text }: { text: string }) {
  return (
    <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-live>
      {text}
    </div>
  );
}
