/**
 * The journal: JSON lines next to the snapshot. The first line is `{generation}`; each other line is one record
 * (`{"task":…}`, `{"inbox":…}`, `{"session":…}` or a `{"lease":…}` renewal). Appended and fsynced once per batch;
 * a torn last line (a process killed mid-append) is never read and is cut off by the next writer.
 */
import {
  closeSync,
  fdatasync as fdatasyncCb,
  fstatSync,
  ftruncateSync,
  openSync,
  promises as fs,
  writeSync,
} from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { StoreError, errorMessage } from '../../errors.js';
import type { RecordReader } from './snapshot-file.js';
import type { JournalRecord, RecordSchemas } from './stored-records.js';

const fdatasync = promisify(fdatasyncCb);

/**
 * `prune_before`: the compaction that started this generation dropped what ended before it (`store-files.ts`);
 * `pruned`: the ids of the tasks it looked at for that (when they are few), so that a reader need not walk them all.
 */
const JournalHeaderSchema = z.object({
  generation: z.number().int(),
  prune_before: z.string().optional(),
  pruned: z.array(z.string()).optional(),
});

/** What a journal's header says: its generation, and the pruning that started it. */
export interface JournalHeader {
  generation: number;
  pruneBefore?: string | undefined;
  pruned?: readonly string[] | undefined;
}

export interface JournalRead {
  /** The header's generation, when the read started at byte 0. */
  generation: number | undefined;
  /** The header's `prune_before`, when the read started at byte 0 and it has one. */
  pruneBefore?: string;
  /** The header's `pruned`, likewise: the only tasks that `prune_before` may drop. */
  pruned?: string[];
  records: JournalRecord[];
  /** The byte after the last complete line. */
  end: number;
  ino: number;
}

/**
 * Reads journal lines from byte `from`. Only complete lines count; a torn last line is left for later.
 * Returns null when the journal does not exist. A bad line throws a one-line `StoreError` naming file, line, field.
 */
export async function readJournal(file: string, from: number, schemas: RecordSchemas): Promise<JournalRead | null> {
  let handle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    return null;
  }
  try {
    const { size, ino } = await handle.stat();
    const length = Math.max(0, size - from);
    const buffer = Buffer.alloc(length);
    if (length > 0) await handle.read(buffer, 0, length, from);
    const lastNewline = buffer.lastIndexOf(0x0a);
    const complete = lastNewline === -1 ? '' : buffer.subarray(0, lastNewline).toString('utf8');
    const lines = complete === '' ? [] : complete.split('\n');
    let generation: number | undefined;
    let pruneBefore: string | undefined;
    let pruned: string[] | undefined;
    const records: JournalRecord[] = [];
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue;
      const fail = async (reason: string) => {
        const lineNo = (await linesBefore(handle, from)) + index + 1;
        return new StoreError(`cannot read store journal ${file}: line ${lineNo}: ${reason}; left untouched`);
      };
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        throw await fail(`not JSON (${errorMessage(error)})`);
      }
      if (from === 0 && index === 0) {
        const header = JournalHeaderSchema.safeParse(parsed);
        if (!header.success) throw await fail(`not a journal header (${issueText(header.error, '')})`);
        generation = header.data.generation;
        pruneBefore = header.data.prune_before;
        pruned = header.data.pruned;
        continue;
      }
      const record = parseRecord(parsed, schemas);
      if (!record.ok) throw await fail(record.reason);
      records.push(record.record);
    }
    return {
      generation,
      ...(pruneBefore ? { pruneBefore } : {}),
      ...(pruned ? { pruned } : {}),
      records,
      end: from + lastNewline + 1,
      ino,
    };
  } finally {
    await handle.close();
  }
}

const KINDS = ['task', 'inbox', 'session', 'lease'] as const;

/** A journal line's record, or why it is not one (naming the field, on one line). */
function parseRecord(
  value: unknown,
  schemas: RecordSchemas,
): { ok: true; record: JournalRecord } | { ok: false; reason: string } {
  const kind = value !== null && typeof value === 'object' ? KINDS.find((k) => Object.hasOwn(value, k)) : undefined;
  if (kind === undefined) return { ok: false, reason: 'not a {"task"}, {"inbox"}, {"session"} or {"lease"} record' };
  const parsed = (schemas[kind] as RecordReader<unknown>).safeParse((value as Record<string, unknown>)[kind]);
  if (!parsed.success) return { ok: false, reason: issueText(parsed.error, kind) };
  return { ok: true, record: { [kind]: parsed.data } as JournalRecord };
}

/**
 * The journal held open for appends: opened once per journal file (its inode, which changes when the journal is
 * replaced) rather than once per batch. Its caller runs one append or sync at a time, holding the store's lock.
 */
export class JournalAppender {
  private held: { fd: number; ino: number } | null = null;
  /** Records were written to the journal held open since its last fsync. */
  unsynced = false;

  constructor(private readonly file: string) {}

  /**
   * Appends `records` at byte `offset` of the journal whose inode is `ino` (cutting a torn line left there first)
   * and fsyncs, unless `sync` is false (then `sync` later). Returns the new end; `onWritten` hears it as soon as the
   * bytes are in the file, before the fsync. The page-cache work is synchronous (microseconds); only the flush to
   * disk goes through the thread pool.
   */
  async append(
    ino: number,
    offset: number,
    records: readonly JournalRecord[],
    onWritten: (end: number) => void = () => undefined,
    sync = true,
  ): Promise<number> {
    const buffer = Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const fd = this.fdOf(ino);
    if (fstatSync(fd).size !== offset) ftruncateSync(fd, offset);
    writeSync(fd, buffer, 0, buffer.length, offset);
    this.unsynced = true;
    onWritten(offset + buffer.length);
    if (sync) await this.sync(ino);
    return offset + buffer.length;
  }

  /** Flushes what was appended without a sync (fdatasync covers every earlier write of the file). */
  async sync(ino: number): Promise<void> {
    await fdatasync(this.fdOf(ino));
    this.unsynced = false;
  }

  /** Closes the journal held open, if any (the store closes or reloads, or the journal was replaced). */
  close(): void {
    const held = this.held;
    this.held = null;
    this.unsynced = false;
    if (held) closeSync(held.fd);
  }

  private fdOf(ino: number): number {
    if (this.held?.ino === ino) return this.held.fd;
    this.close();
    const fd = openSync(this.file, 'r+');
    this.held = { fd, ino };
    return fd;
  }
}

/** Starts an empty journal with `header`, atomically (temp + rename). Returns its inode and length. */
export async function resetJournal(file: string, header: JournalHeader): Promise<{ ino: number; end: number }> {
  return installJournal(await prepareJournal(file, header), file);
}

/**
 * Writes an empty journal with `header` to a temp file next to `file`, fsynced (`installJournal` puts it in
 * place): a compaction does this before it takes the lock, so that only the renames are left under it.
 */
export async function prepareJournal(
  file: string,
  { generation, pruneBefore, pruned }: JournalHeader,
  /** Part of the temp file's name: a journal prepared ahead must not share it with one reset meanwhile. */
  tag = '',
): Promise<{ tmp: string; length: number }> {
  const tmp = `${file}.${process.pid}${tag}.tmp`;
  const line = { generation, ...(pruneBefore ? { prune_before: pruneBefore, ...(pruned ? { pruned } : {}) } : {}) };
  const header = Buffer.from(JSON.stringify(line) + '\n');
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.write(header);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  return { tmp, length: header.length };
}

/** Renames a journal of `prepareJournal` to `file` and fsyncs the folder. Returns its inode and length. */
export async function installJournal(
  prepared: { tmp: string; length: number },
  file: string,
): Promise<{ ino: number; end: number }> {
  await fs.rename(prepared.tmp, file);
  await fsyncFolder(path.dirname(file));
  return { ino: (await fs.stat(file)).ino, end: prepared.length };
}

export async function fsyncFolder(folder: string): Promise<void> {
  const handle = await fs.open(folder, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on folders; the rename is still atomic.
  } finally {
    await handle.close();
  }
}

/** The first issue of a zod error as `path: message`, the path under `prefix`. */
export function issueText(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  const where = [prefix, ...(issue?.path ?? [])].filter((p) => p !== '').join('.');
  return `${where || '(record)'}: ${(issue?.message ?? 'invalid').split('\n')[0]}`;
}

/** Newlines in the first `end` bytes of an open file: the line number of a journal offset, for errors. */
async function linesBefore(handle: FileHandle, end: number): Promise<number> {
  if (end === 0) return 0;
  const buffer = Buffer.alloc(end);
  await handle.read(buffer, 0, end, 0);
  let count = 0;
  for (let at = buffer.indexOf(0x0a); at !== -1; at = buffer.indexOf(0x0a, at + 1)) count++;
  return count;
}
