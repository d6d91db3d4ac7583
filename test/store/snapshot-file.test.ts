import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SnapshotFile } from '../../src/store/file/snapshot-file.js';
import { tempDir } from '../helpers/core.js';

const Item = z.object({ id: z.string(), n: z.number() });
const sections = { items: Item, others: Item };

describe('SnapshotFile', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await cleanup();
  });

  it('writes one valid JSON document with one record per line and reads it back', async () => {
    const file = path.join(dir, 's.json');
    const data = {
      version: 3,
      items: [
        { id: 'a', n: 1 },
        { id: 'b\nwith a newline', n: 2 },
      ],
      others: [],
    };
    await new SnapshotFile(file, sections).write(data);
    const text = await readFile(file, 'utf8');
    expect(JSON.parse(text)).toEqual(data);
    expect(text.split('\n')).toEqual([
      '{"version":3,"items":[',
      '{"id":"a","n":1},',
      '{"id":"b\\nwith a newline","n":2}',
      '],"others":[',
      ']}',
      '',
    ]);
    expect(await new SnapshotFile(file, sections).read()).toEqual(data);
  });

  it('writes many chunks of records, some larger than a chunk and in any script, byte for byte', async () => {
    const file = path.join(dir, 's.json');
    const Text = z.object({ id: z.string(), text: z.string() });
    const texts = { items: Text, others: Text };
    const items = Array.from({ length: 3000 }, (_, i) => ({
      id: `r${i}`,
      // Mostly short; every 500th 200k characters of 2-, 3- and 4-byte UTF-8 (more than a chunk), every 300th 20k
      // characters of 3-byte UTF-8 (fewer characters than the room left in a chunk, more bytes).
      text:
        i % 500 === 7
          ? 'é€😀'.repeat(50_000)
          : i % 300 === 100
            ? '€'.repeat(20_000)
            : `record ${i} ${'ü'.repeat(i % 40)}`,
    }));
    const data = { version: 1, items, others: [{ id: 'last', text: '✓' }] };
    await new SnapshotFile(file, texts).write(data);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(data);
    expect(await new SnapshotFile(file, texts).read()).toEqual(data);
  });

  it('reads a file in another layout with one whole parse', async () => {
    const file = path.join(dir, 's.json');
    await writeFile(file, JSON.stringify({ version: 1, items: [{ id: 'x', n: 5 }] }, null, 2));
    expect(await new SnapshotFile(file, sections).read()).toEqual({
      version: 1,
      items: [{ id: 'x', n: 5 }],
      others: [],
    });
  });

  it('refuses a file cut short at the end of a line, where the records read so far parse', async () => {
    const file = path.join(dir, 's.json');
    await writeFile(file, '{"version":1,"items":[\n{"id":"a","n":1},\n{"id":"b","n":2},\n');
    await expect(new SnapshotFile(file, sections).read()).rejects.toThrow(/ends at line 3, before its closing line/);
  });

  it('names the line and field of an invalid record', async () => {
    const file = path.join(dir, 's.json');
    await writeFile(file, '{"version":1,"items":[\n{"id":"a","n":1},\n{"id":"b","n":"two"}\n],"others":[\n]}\n');
    await expect(new SnapshotFile(file, sections).read()).rejects.toThrow(/line 3 \(items\): n: .*expected number/);
  });

  it('answers null when there is no file', async () => {
    expect(await new SnapshotFile(path.join(dir, 'none.json'), sections).read()).toBeNull();
  });
});
