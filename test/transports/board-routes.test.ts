/**
 * The board's HTTP routes on real Baton (`startHttp` over a temp store): the page with its CSP header, the
 * snapshot, the event stream from the store's change feed (resume by Last-Event-ID with nothing lost or repeated,
 * reset when it cannot resume), token isolation and the admin token, CSRF-checked actions through the tools' rules.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { boardDir } from '../../src/board/assets.js';
import { startHttp } from '../../src/transports/http.js';
import type { RunningHttp } from '../../src/transports/http.js';
import { eventually, startCore } from '../helpers/core.js';
import type { Core, TestClient } from '../helpers/core.js';
import { openSse } from '../helpers/sse.js';
import type { SseStream } from '../helpers/sse.js';

const ADMIN = 'admin-token-0123456789abcdef';

interface Opened {
  core: Core;
  http: RunningHttp;
  host: TestClient;
  bob: TestClient;
  api: (path: string, init?: RequestInit & { token?: string }) => Promise<Response>;
  post: (path: string, body: unknown, token?: string) => Promise<Response>;
  events: (headers?: Record<string, string>, token?: string) => Promise<SseStream>;
}

describe('the board routes on baton serve --http', () => {
  const cleanups: (() => Promise<void>)[] = [];
  const streams: SseStream[] = [];
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const open = async (tokens: Record<string, string> | null = null): Promise<Opened> => {
    const core = await startCore();
    const http = await startHttp(core.baton, {
      host: '127.0.0.1',
      port: 0,
      agentId: 'host',
      tokens: tokens ? new Map(Object.entries(tokens)) : null,
      adminToken: ADMIN,
    });
    cleanups.push(
      () => core.close(),
      () => http.close(),
    );
    const auth = (token?: string): Record<string, string> => (token ? { Authorization: `Bearer ${token}` } : {});
    const api: Opened['api'] = (path, init = {}) =>
      fetch(`${http.url}${path}`, { ...init, headers: { ...auth(init.token), ...(init.headers as object) } });
    return {
      core,
      http,
      host: await core.connect('host'),
      bob: await core.connect('bob'),
      api,
      post: (path, body, token) =>
        api(path, {
          method: 'POST',
          token,
          headers: { 'Content-Type': 'application/json', 'X-Baton-Board': '1' },
          body: JSON.stringify(body),
        }),
      events: async (headers = {}, token) => {
        const stream = await openSse(`${http.url}/board/api/events`, { ...headers, ...auth(token) });
        streams.push(stream);
        return stream;
      },
    };
  };
  const delegate = (client: TestClient, assignee: string, description = 'a task') =>
    client.ok<{ task_id: string }>('delegate_task', { assignee_id: assignee, description }).then((t) => t.task_id);
  const taskEvents = (stream: SseStream) => stream.events.filter((e) => e.event === 'task');
  const parsed = (stream: SseStream) =>
    taskEvents(stream).map((e) => ({ seq: Number(e.id), ...(JSON.parse(e.data) as { id: string; status: string }) }));

  it('serves the page at / with the CSP header of its build and no caching', async () => {
    const { api } = await open();
    const response = await api('/');
    expect(response.status).toBe(200);
    const manifest = JSON.parse(readFileSync(`${boardDir()}/board.json`, 'utf8')) as { csp: string };
    expect(response.headers.get('content-security-policy')).toBe(manifest.csp);
    expect(manifest.csp).toMatch(/default-src 'none'; script-src 'sha256-[^']+'/);
    expect(manifest.csp).toMatch(/frame-ancestors 'none'/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toBe(readFileSync(`${boardDir()}/board.html`, 'utf8'));
  });

  it('without tokens shows the operator every task, newest root first, with its tree', async () => {
    const { api, host, bob } = await open();
    const first = await delegate(host, 'bob', 'first');
    const other = await delegate(bob, 'carol', 'between others');
    const child = await bob.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'dave',
      description: 'child',
      parent_task_id: first,
    });
    const session = (await (await api('/board/api/session')).json()) as Record<string, unknown>;
    expect(session).toMatchObject({ viewer: 'host', admin: true, auth: 'none' });
    const snapshot = (await (await api('/board/api/tasks?limit=10')).json()) as {
      seq: number;
      tasks: { id: string }[];
    };
    expect(snapshot.tasks.map((t) => t.id)).toEqual([other, first, child.task_id]);
    const one = (await (await api('/board/api/tasks?limit=1')).json()) as { tasks: { id: string }[] };
    expect(one.tasks.map((t) => t.id)).toEqual([other]);
    expect((await api('/board/api/tasks?limit=0')).status).toBe(400);
    expect(await (await api('/board/api/tasks?limit=x')).json()).toEqual({
      error: 'limit: expected a whole number from 1 to 500',
    });
  });

  it('streams each change once, in seq order, and resumes after Last-Event-ID with nothing lost or repeated', async () => {
    const { api, host, bob, events, core } = await open();
    const task = await delegate(host, 'bob');
    const { seq } = (await (await api('/board/api/tasks')).json()) as { seq: number };
    const live = await events({ 'Last-Event-ID': String(seq) });
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await bob.ok('report_task_progress', { task_id: task, message: 'one' });
    await live.waitFor(1);
    live.close();
    const before = parsed(live);
    // While no stream is open: three more changes.
    await bob.ok('report_task_progress', { task_id: task, message: 'two' });
    const second = await delegate(host, 'bob', 'second');
    await bob.ok('complete_task', { task_id: task, result: 'done' });
    const resumed = await events({ 'Last-Event-ID': String(before.at(-1)!.seq) });
    await bob.ok('fail_task', { task_id: second, error: 'no' });
    await eventually(() => parsed(resumed).some((e) => e.id === second && e.status === 'failed'));
    const seen = [...before, ...parsed(resumed)];
    expect(before.map((e) => [e.id, e.status])).toEqual([[task, 'in_progress']]);
    // Each change after the last one applied, once: what happened while away (a backend may replay a task only
    // in its latest version), then live.
    expect(parsed(resumed).at(-1)).toMatchObject({ id: second, status: 'failed' });
    const stored = await Promise.all([task, second].map((id) => core.tasks.peek(id)));
    for (const t of stored) expect(seen.some((e) => e.seq === t!.seq && e.id === t!.id)).toBe(true);
    const seqs = seen.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    // Every change after the first event is there: the latest state of both tasks, nothing older than what was read.
    const latest = new Map(seen.map((e) => [e.id, e.status]));
    expect(Object.fromEntries(latest)).toEqual({ [task]: 'completed', [second]: 'failed' });
    expect(seen.every((e) => e.seq > seq)).toBe(true);
  });

  it('asks the page for a new snapshot (event: reset) when it cannot resume from the seq it is given', async () => {
    const { events } = await open();
    for (const id of ['99999', 'abc', '-3']) {
      const stream = await events({ 'Last-Event-ID': id });
      await stream.ended;
      expect(
        stream.events.map((e) => e.event),
        id,
      ).toEqual(['reset']);
    }
  });

  it('with tokens, a viewer sees exactly the tasks its agent is a party to, in the snapshot and the stream', async () => {
    const { api, host, bob, events } = await open({ 'token-a': 'alice', 'token-b': 'bob' });
    const alice = await delegate(host, 'alice', 'for alice');
    const bobs = await delegate(host, 'bob', 'for bob');
    const aliceStream = await events({}, 'token-a');
    const bobStream = await events({}, 'token-b');
    const adminStream = await events({}, ADMIN);
    await bob.ok('report_task_progress', { task_id: bobs, message: 'bob only' });
    const late = await delegate(bob, 'alice', 'bob asks alice');
    await bobStream.waitFor(2);
    await aliceStream.waitFor(1);
    await adminStream.waitFor(2);
    const ids = async (token: string) =>
      ((await (await api('/board/api/tasks', { token })).json()) as { tasks: { id: string }[] }).tasks.map((t) => t.id);
    expect(await ids('token-a')).toEqual([late, alice]);
    expect(await ids('token-b')).toEqual([late, bobs]);
    expect((await ids(ADMIN)).sort()).toEqual([alice, bobs, late].sort());
    expect(parsed(aliceStream).map((e) => e.id)).toEqual([late]);
    expect(parsed(bobStream).map((e) => e.id)).toEqual([bobs, late]);
    expect(parsed(adminStream).map((e) => e.id)).toEqual([bobs, late]);
    const session = async (token: string) => (await api('/board/api/session', { token })).json();
    await expect(session('token-a')).resolves.toMatchObject({ viewer: 'alice', admin: false, auth: 'token' });
    await expect(session(ADMIN)).resolves.toMatchObject({ viewer: 'host', admin: true });
    const refused = await api('/board/api/tasks', { token: 'nope' });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toMatch(/Authorization: Bearer <token>/);
    expect((await api('/board/api/events')).status).toBe(401);
    // The page itself loads without a token: it asks for one.
    expect((await api('/')).status).toBe(200);
  });

  it('cancels for the delegator only: the assignee and strangers get 404 as for an unknown id', async () => {
    const { post, host, bob } = await open({ 'token-host': 'host', 'token-bob': 'bob', 'token-eve': 'eve' });
    const task = await delegate(host, 'bob');
    const notFound = { error: `task not found: ${task}` };
    for (const token of ['token-bob', 'token-eve']) {
      const answer = await post(`/board/api/tasks/${task}/cancel`, {}, token);
      expect(answer.status, token).toBe(404);
      expect(await answer.json()).toEqual(notFound);
    }
    expect(await (await post(`/board/api/tasks/nosuch/cancel`, {}, 'token-host')).json()).toEqual({
      error: 'task not found: nosuch',
    });
    const done = await post(`/board/api/tasks/${task}/cancel`, { reason: 'from the board' }, 'token-host');
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({
      task_id: task,
      status: 'cancelled',
      changed: true,
      cancelled_task_ids: [task],
      message: `cancelled task ${task}`,
    });
    const view = await bob.ok<{ task: { status: string; error: string } }>('get_task', { task_id: task });
    expect(view.task).toMatchObject({ status: 'cancelled', error: 'from the board' });
    const bad = await post(`/board/api/tasks/${task}/cancel`, { reason: 42 }, 'token-host');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^reason: /);
  });

  it("sends a message as the viewer, into the recipient's inbox", async () => {
    const { post, bob } = await open();
    const answer = await post('/board/api/messages', { to_agent_id: 'bob', content: 'hello from the board' });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ delivered_to: 'bob' });
    const inbox = await bob.ok<{ items: { from: string; content: string }[] }>('read_inbox', {});
    expect(inbox.items.at(-1)).toMatchObject({ from: 'host', content: 'hello from the board' });
    const empty = await post('/board/api/messages', { to_agent_id: 'bob' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: string }).error).toMatch(/^content: /);
    const foreign = await post('/board/api/messages', { to_agent_id: 'bob', content: 'x', task_id: 'nosuch' });
    expect(foreign.status).toBe(404);
  });

  it('refuses actions without the CSRF header, as a form, from another origin, or too large', async () => {
    const { api, host, bob } = await open();
    const task = await delegate(host, 'bob');
    const cancel = `/board/api/tasks/${task}/cancel`;
    const tries: [RequestInit, number][] = [
      [{ headers: { 'Content-Type': 'application/json' }, body: '{}' }, 403],
      [{ headers: { 'X-Baton-Board': '1', 'Content-Type': 'text/plain' }, body: '{}' }, 403],
      [{ headers: { 'X-Baton-Board': '1', 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1' }, 403],
      [
        {
          headers: { 'X-Baton-Board': '1', 'Content-Type': 'application/json', Origin: 'http://evil.example' },
          body: '{}',
        },
        403,
      ],
      [{ headers: { 'X-Baton-Board': '1', 'Content-Type': 'application/json' }, body: '{"reason":' }, 400],
      [
        {
          headers: { 'X-Baton-Board': '1', 'Content-Type': 'application/json' },
          body: JSON.stringify({ reason: 'x'.repeat(70_000) }),
        },
        413,
      ],
    ];
    for (const [init, status] of tries) {
      const answer = await api(cancel, { method: 'POST', ...init });
      expect(answer.status, JSON.stringify(init.headers)).toBe(status);
    }
    const view = await bob.ok<{ task: { status: string } }>('get_task', { task_id: task });
    expect(view.task.status).toBe('in_progress');
    // A GET never acts.
    expect((await api(cancel)).status).toBe(404);
  });
});
