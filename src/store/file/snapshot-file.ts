/**
 * A lowdb adapter for the store snapshot that never holds the whole file as one string.
 *
 * The file is one ordinary JSON document laid out with one record per line:
 *
 *   {"schema_version":1,"generation":3,"seq":42,"tasks":[
 *   {…task…},
 *   {…task…}
 *   ],"inbox":[
 *   …
 *   ],"sessions":[
 *   ]}
 *
 * Reading streams it line by line and validates each record as it arrives, so at 100k tasks the store is in
 * memory once, not as file text plus parsed objects plus validated copies (SPEC §11: RSS ≤ 200 MB). Writing
 * streams to a temp file, fsyncs it and renames it over the old one: never a torn file. A file in any other
 * layout (hand-edited, say) is still read, with one whole-file parse.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { FileHandle } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import type { z } from 'zod';
import { holdForFreeing } from './free-blocks.js';

/** What reads one record: a zod schema, or anything that answers as its `safeParse` does (`task-reader.ts`). */
export interface RecordReader<T> {
  safeParse(value: unknown): z.ZodSafeParseResult<T>;
}

/** The sections of the snapshot, in file order, with the schema of their records. */
export type SectionSchemas = Record<string, RecordReader<unknown>>;

/** The snapshot: header fields plus one array per section. */
export type SnapshotData = Record<string, unknown>;

/** Bytes written per chunk (and per turn of the event loop): ~50 records, well under a millisecond to serialise. */
const CHUNK = 64 * 1024;
const SYNC_EVERY = 1024 * 1024;

export class SnapshotFile implements Adapter<SnapshotData> {
  /**
   * @param sections the sections in file order, with the schema of their records
   * @param pick the schemas to read a file with, by its header fields (the store picks them by schema version)
   */
  constructor(
    private readonly file: string,
    private readonly sections: SectionSchemas,
    private readonly pick: (header: SnapshotData) => SectionSchemas = () => sections,
  ) {}

  private schemasFor(header: SnapshotData): SectionSchemas {
    return this.pick(header);
  }

  /**
   * The inode of the file the last `read` read (or -1: none). A reader compares it with the path's after a failed
   * read: a snapshot replaced meanwhile is read again, since the old one's blocks are freed in steps
   * (`free-blocks.ts`), by cutting it shorter, while readers may still hold it.
   */
  readIno = -1;

  /**
   * The snapshot with every record validated, or null when the file does not exist. Throws on bad content, and on a
   * file that ends before its closing line (cut short: never a file Baton wrote, or one freed under the reader).
   */
  async read(): Promise<SnapshotData | null> {
    let handle: FileHandle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch {
      this.readIno = -1;
      return null;
    }
    try {
      this.readIno = (await handle.stat()).ino;
      return await this.readFrom(handle);
    } finally {
      await handle.close();
    }
  }

  private async readFrom(handle: FileHandle): Promise<SnapshotData> {
    // Positional reads from 0 (`start`), so that `readWhole` can read the same handle from its start.
    const stream = handle.createReadStream({ encoding: 'utf8', start: 0, autoClose: false });
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    const names = Object.keys(this.sections);
    let schemas: SectionSchemas = {};
    let data: SnapshotData | null = null;
    let section = -1;
    let lineNo = 0;
    let closed = false;
    try {
      for await (const line of lines) {
        lineNo++;
        if (data === null) {
          // The header line ends by opening the first section.
          const opener = `"${names[0]}":[`;
          if (!line.endsWith(opener)) return await readWhole(handle, (header) => this.schemasFor(header));
          data = JSON.parse(`${line}]}`) as SnapshotData;
          schemas = this.schemasFor(data);
          section = 0;
          continue;
        }
        const name = names[section] as string;
        const next = names[section + 1];
        if (next !== undefined && line === `],"${next}":[`) {
          section++;
          data[next] = [];
          continue;
        }
        if (next === undefined && line === ']}') {
          closed = true;
          break;
        }
        const text = line.endsWith(',') ? line.slice(0, -1) : line;
        const parsed = (schemas[name] as RecordReader<unknown>).safeParse(JSON.parse(text));
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new Error(`line ${lineNo} (${name}): ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
        }
        (data[name] as unknown[]).push(parsed.data);
      }
    } finally {
      lines.close();
      stream.destroy();
    }
    if (data === null) throw new Error('the file is empty');
    if (!closed) throw new Error(`the file ends at line ${lineNo}, before its closing line (cut short)`);
    for (const name of names) data[name] ??= [];
    return data;
  }

  /** Writes the snapshot: temp file, fsync, rename over the old one, fsync the folder. */
  async write(data: SnapshotData): Promise<void> {
    await this.commit(await this.writeTemp(data));
  }

  /**
   * Writes the snapshot to a temp file and fsyncs it; `commit` puts it in place. Sections may be any iterables,
   * walked as the file is written: the writer yields to the event loop at every 64 KB written, so that a large
   * snapshot is written while other work goes on, holding no more than one chunk of text. `stop` is asked at every
   * chunk: when it says so the temp file is removed and null returned.
   */
  async writeTemp(data: SnapshotData, stop: () => boolean = () => false): Promise<string | null> {
    const names = Object.keys(this.sections);
    const header: SnapshotData = {};
    for (const [key, value] of Object.entries(data)) if (!names.includes(key)) header[key] = value;
    const tmp = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${process.pid}.tmp`);
    const handle = await fs.open(tmp, 'w');
    const chunk = new Chunk(handle);
    let stopped = false;
    let unsynced = 0;
    try {
      chunk.add(`${JSON.stringify(header).slice(0, -1)}${Object.keys(header).length > 0 ? ',' : ''}"${names[0]}":[\n`);
      for (let s = 0; s < names.length && !stopped; s++) {
        const name = names[s] as string;
        if (s > 0) chunk.add(`],"${name}":[\n`);
        let first = true;
        for (const record of (data[name] as Iterable<unknown> | undefined) ?? []) {
          if (!first) chunk.add(',\n');
          chunk.add(JSON.stringify(record));
          first = false;
          if (chunk.full) {
            unsynced += await chunk.write();
            // Flushed a MB at a time, so that the final fsync, and a journal fsync queued behind it, is short.
            if (unsynced > SYNC_EVERY) {
              await handle.datasync();
              unsynced = 0;
            }
            if (stop()) {
              stopped = true;
              break;
            }
          }
        }
        if (!first) chunk.add('\n');
      }
      if (!stopped) {
        chunk.add(']}\n');
        await chunk.write();
        await handle.sync();
      }
    } finally {
      await handle.close();
    }
    if (stopped) {
      await fs.rm(tmp, { force: true });
      return null;
    }
    return tmp;
  }

  /**
   * Renames a temp file of `writeTemp` over the snapshot and fsyncs the folder: never a torn file. With `hold`, the
   * snapshot it replaces is held open in `hold.handle`, for writing when it may be: freeing its blocks (30-40 ms for
   * 100 MB on ext4, in the rename) then happens after the caller lets go of the lock, in steps (`freeBlocks`), not
   * while callers wait behind it.
   */
  async commit(tmp: string | null, hold?: { handle?: FileHandle }): Promise<void> {
    if (tmp === null) return;
    if (hold) {
      hold.handle = await holdForFreeing(this.file);
    }
    await fs.rename(tmp, this.file);
    const dir = await fs.open(path.dirname(this.file), 'r');
    try {
      await dir.sync();
    } catch {
      // Some file systems refuse fsync on folders; the rename is still atomic.
    } finally {
      await dir.close();
    }
  }
}

/** A snapshot in another layout: parse it whole, then validate record by record, dropping each raw one. */
async function readWhole(
  handle: FileHandle,
  schemasFor: (header: SnapshotData) => SectionSchemas,
): Promise<SnapshotData> {
  const { size } = await handle.stat();
  const buffer = Buffer.alloc(size);
  for (let at = 0; at < size;) {
    const { bytesRead } = await handle.read(buffer, at, size - at, at);
    if (bytesRead === 0) throw new Error(`the file ends at byte ${at} of ${size} (cut short)`);
    at += bytesRead;
  }
  const data = JSON.parse(buffer.toString('utf8')) as unknown;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('expected a JSON object');
  const snapshot = data as SnapshotData;
  for (const [name, schema] of Object.entries(schemasFor(snapshot))) {
    const records = snapshot[name] ?? [];
    if (!Array.isArray(records)) throw new Error(`${name}: expected an array`);
    for (let i = 0; i < records.length; i++) {
      const parsed = schema.safeParse(records[i]);
      if (!parsed.success) throw new Error(`${name}[${i}]: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      records[i] = parsed.data;
    }
    snapshot[name] = records;
  }
  return snapshot;
}

/**
 * The text of one chunk, copied as it comes into one buffer outside the JS heap and reused for every chunk: the
 * only garbage a snapshot makes is each record's JSON string, which dies young (at 1M tasks the GC otherwise
 * copies and scans the chunk's string pieces a second time).
 */
class Chunk {
  private readonly buffer = Buffer.allocUnsafe(CHUNK + 16 * 1024);
  private used = 0;
  /** Text that did not fit (a record larger than the room left), written after the buffer. */
  private spill: string[] = [];

  constructor(private readonly handle: FileHandle) {}

  get full(): boolean {
    return this.used >= CHUNK || this.spill.length > 0;
  }

  add(text: string): void {
    // Up to 3 UTF-8 bytes per UTF-16 unit: when that fits, `write` cannot cut the text short.
    if (this.spill.length === 0 && text.length * 3 <= this.buffer.length - this.used) {
      this.used += this.buffer.write(text, this.used, 'utf8');
    } else {
      this.spill.push(text);
    }
  }

  /** Writes what was added; its length in bytes. */
  async write(): Promise<number> {
    let bytes = this.used;
    if (this.used > 0) await this.handle.write(this.buffer, 0, this.used);
    this.used = 0;
    if (this.spill.length > 0) {
      const rest = Buffer.from(this.spill.join(''), 'utf8');
      this.spill = [];
      await this.handle.write(rest);
      bytes += rest.length;
    }
    return bytes;
  }
}
