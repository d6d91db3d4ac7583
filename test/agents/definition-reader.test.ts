/** Large frontmatters are parsed off the event loop (issue 7, item 3), to the same result as on it. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAgentFile } from '../../src/agents/definition.js';
import { INLINE_FRONTMATTER_BYTES, readAgentDefinition } from '../../src/agents/definition-reader.js';
import { agentFile, manyKeys } from '../helpers/agents.js';

let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'baton-reader-'));
  dir = path.join(root, 'agents');
  await mkdir(dir);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('large frontmatters', () => {
  it('parse in a worker to the same definition, or the same problem, as on the event loop', async () => {
    const cases = {
      'many-keys.md': agentFile('Many keys.', manyKeys(30 * 1024)),
      'many-fields.md': agentFile('Many fields.', manyKeys(4 * 1024, true)),
      'bad-yaml.md': agentFile('Bad YAML.', `${manyKeys(10 * 1024)}oops: [unclosed\n`),
      'claude-code.md': `---\nname: cc\ndescription: Use this when: the user asks\n${manyKeys(8 * 1024)}---\nBody.\n`,
    };
    for (const [name, text] of Object.entries(cases)) {
      expect(text.length).toBeGreaterThan(INLINE_FRONTMATTER_BYTES);
      const file = path.join(dir, name);
      await writeFile(file, text);
      expect(await readAgentDefinition(file), name).toEqual(parseAgentFile(text, file));
    }
    const bad = await readAgentDefinition(path.join(dir, 'bad-yaml.md'));
    expect(bad).toMatchObject({
      ok: false,
      problem: { reason: expect.stringMatching(/^frontmatter: invalid YAML at line \d+/) },
    });
  });
});
