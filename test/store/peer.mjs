/**
 * A second process on a store, for the store contract suite: opens the store with `openStore` (so any backend)
 * and does what the test asks over IPC. Runs the built code (dist/), like the end-to-end tests.
 *
 * Requests (each answered with `{ id, ok, value | error }`):
 *   put {tasks}                 each task in its own transaction, all at once
 *   inbox {items}               each inbox item in its own transaction, all at once
 *   claim {ids, runner, leaseMs} each claim at once; the claims won (null where lost)
 *   fenced {claim, task}        a fenced write; the error's name when refused
 *   subscribe {since}           from now on, every change is sent as `{ change: {seq, kind, id} }`
 *   head                        the store's head seq
 *   close
 */
import { openStore } from '../../dist/store/open-store.js';

const store = await openStore(process.argv[2]);
const handlers = {
  put: ({ tasks }) =>
    Promise.all(tasks.map((task) => store.transact((tx) => tx.putTask(task)))).then(() => tasks.length),
  inbox: ({ items }) => Promise.all(items.map((item) => store.transact((tx) => tx.addInbox(item).seq))),
  claim: ({ ids, runner, leaseMs }) => Promise.all(ids.map((id) => store.claim(id, runner, leaseMs))),
  fenced: ({ claim, task }) =>
    store
      .transact((tx) => tx.putTask(task), { fence: claim })
      .then(
        () => 'written',
        (error) => error.name,
      ),
  subscribe: async ({ since }) => {
    store.subscribe(since, (change) => {
      const id =
        change.kind === 'task' ? change.task.id : change.kind === 'inbox' ? change.item.recipient : change.session.id;
      process.send({ change: { seq: change.seq, kind: change.kind, id } });
    });
    return true;
  },
  head: () => store.headSeq(),
  close: async () => {
    await store.close();
    setImmediate(() => process.exit(0));
    return true;
  },
};
process.on('message', ({ id, op, ...args }) => {
  Promise.resolve()
    .then(() => handlers[op](args))
    .then(
      (value) => process.send({ id, ok: true, value }),
      (error) => process.send({ id, ok: false, error: String(error?.message ?? error) }),
    );
});
process.on('disconnect', () => process.exit(1));
process.send({ ready: true });
