import { describe, expect, it } from 'vitest';
import { isAgentFile, parseAgentFile, suggestAgentId, type AgentProblem } from '../../src/agents/definition.js';

function parseOk(text: string, path = '/agents/x.md') {
  const result = parseAgentFile(text, path);
  if (!result.ok) throw new Error(`expected a definition, got the problem: ${result.problem.reason}`);
  return result.agent;
}

function problemOf(text: string, path = '/agents/x.md'): AgentProblem {
  const result = parseAgentFile(text, path);
  if (result.ok) throw new Error(`expected a problem, got the agent ${result.agent.id}`);
  return result.problem;
}

const minimal = (fields: string, body = 'You help.') => `---\ndescription: Does things.\n${fields}\n---\n${body}\n`;

describe('parseAgentFile', () => {
  it('reads a Claude Code agent with comma-separated tools, maxTurns and unknown fields', () => {
    const text = [
      '---',
      'name: code-reviewer',
      'description: Expert code review specialist. Use immediately after writing code.',
      'tools: Read, Grep, Glob, Bash',
      'model: sonnet',
      'maxTurns: 12',
      'color: purple',
      'permissionMode: plan',
      '---',
      '',
      'You are a senior code reviewer.',
      '',
      'Review the diff.',
      '',
    ].join('\n');
    const agent = parseOk(text, '/home/u/.claude/agents/code-reviewer.md');
    expect(agent).toEqual({
      id: 'code-reviewer',
      description: 'Expert code review specialist. Use immediately after writing code.',
      model: 'sonnet',
      tools: ['Read', 'Grep', 'Glob', 'Bash'],
      max_steps: 12,
      tool_scope: 'restricted',
      memory_scope: 'isolated',
      max_retries: 0,
      system_prompt: 'You are a senior code reviewer.\n\nReview the diff.',
      path: '/home/u/.claude/agents/code-reviewer.md',
      extra: { color: 'purple', permissionMode: 'plan' },
    });
  });

  it('reads tools given as a YAML list and every Baton field', () => {
    const agent = parseOk(
      [
        '---',
        'name: researcher',
        'description: Finds sources.',
        'model: anthropic:claude-sonnet-4-5',
        'tools:',
        '  - report_task_progress',
        '  - subagent_dispatch',
        'max_steps: 5',
        'timeout_seconds: 120',
        'tool_scope: shared',
        'memory_scope: snapshot',
        'max_retries: 2',
        'budget_tokens: 200000',
        'budget_usd: 1.5',
        '---',
        'Research.',
      ].join('\n'),
    );
    expect(agent).toMatchObject({
      id: 'researcher',
      model: 'anthropic:claude-sonnet-4-5',
      tools: ['report_task_progress', 'subagent_dispatch'],
      max_steps: 5,
      timeout_seconds: 120,
      tool_scope: 'shared',
      memory_scope: 'snapshot',
      max_retries: 2,
      budget_tokens: 200_000,
      budget_usd: 1.5,
    });
    // Every field above is Baton's own: none is kept aside as unknown.
    expect(agent.extra).toEqual({});
  });

  it('applies the defaults and takes the id from the file name when there is no name', () => {
    const agent = parseOk('---\ndescription: Helps.\n---\n\n  Be brief.  \n', '/x/agents/note-taker.md');
    expect(agent).toEqual({
      id: 'note-taker',
      description: 'Helps.',
      max_steps: 8,
      tool_scope: 'restricted',
      memory_scope: 'isolated',
      max_retries: 0,
      system_prompt: 'Be brief.',
      path: '/x/agents/note-taker.md',
      extra: {},
    });
    expect(agent.model).toBeUndefined();
    expect(agent.tools).toBeUndefined();
    expect(agent.timeout_seconds).toBeUndefined();
    expect(agent.budget_tokens).toBeUndefined();
    expect(agent.budget_usd).toBeUndefined();
  });

  it('prefers max_steps over maxTurns when both are present', () => {
    expect(parseOk(minimal('max_steps: 3\nmaxTurns: 9')).max_steps).toBe(3);
  });

  it('treats a blank tools field as not narrowed, and an explicit empty list as no tools', () => {
    expect(parseOk(minimal('tools:')).tools).toBeUndefined();
    expect(parseOk(minimal('tools: ""')).tools).toBeUndefined();
    expect(parseOk(minimal('tools: []')).tools).toEqual([]);
    expect(parseOk(minimal('tools: a, , b,')).tools).toEqual(['a', 'b']);
  });

  it('accepts CRLF line endings and a byte-order mark', () => {
    const agent = parseOk('\uFEFF---\r\nname: win\r\ndescription: From Windows.\r\n---\r\nHello.\r\n');
    expect(agent).toMatchObject({ id: 'win', description: 'From Windows.', system_prompt: 'Hello.' });
  });

  it('reads a Claude Code description with unquoted colons, which strict YAML rejects', () => {
    const agent = parseOk(
      '---\nname: hunter\ndescription: Use this agent when: the user asks. Examples: user: "hi" assistant: "hello"\n---\nHunt.',
    );
    expect(agent.description).toBe('Use this agent when: the user asks. Examples: user: "hi" assistant: "hello"');
  });

  it('reports a file without frontmatter', () => {
    expect(problemOf('# Just a note\n').reason).toMatch(/^frontmatter: missing/);
  });

  it('reports a frontmatter that is never closed', () => {
    expect(problemOf('---\ndescription: x\nbody without a closing line\n').reason).toBe(
      "frontmatter: no closing '---' line after the fields",
    );
  });

  it('reports broken YAML with its line in the file', () => {
    const problem = problemOf('---\nname: broken\ndescription: ok\ntools: [a, b\n---\nbody', '/a/broken.md');
    expect(problem.path).toBe('/a/broken.md');
    expect(problem.reason).toMatch(/^frontmatter: invalid YAML at line 4, column 13: Flow sequence/);
  });

  it('reports a duplicated key as broken YAML', () => {
    expect(problemOf('---\ndescription: a\ndescription: b\n---\n').reason).toMatch(
      /^frontmatter: invalid YAML at line 3, column 1: Map keys must be unique/,
    );
  });

  it('reports a frontmatter that is a list rather than fields', () => {
    expect(problemOf('---\n- a\n- b\n---\n').reason).toBe(
      'frontmatter: expected YAML fields (name: value lines); got a list',
    );
  });

  it('reports a missing or empty description', () => {
    expect(problemOf('---\nname: x\n---\nbody').reason).toBe(
      'description: missing; expected a non-empty text saying when to use this agent',
    );
    expect(problemOf('---\nname: x\ndescription: "   "\n---\nbody').reason).toMatch(
      /^description: expected a non-empty/,
    );
    expect(problemOf('---\n---\nbody').reason).toMatch(/^description: missing/);
  });

  it('reports a display name that is not an id, with a suggestion rather than a silent slug', () => {
    expect(problemOf('---\nname: Code Reviewer\ndescription: Reviews.\n---\n').reason).toBe(
      "name: 'Code Reviewer' is not a valid id; an id is lowercase letters, digits and single hyphens (for example 'code-reviewer')",
    );
    expect(problemOf('---\ndescription: Reviews.\n---\n', '/a/My Agent.md').reason).toMatch(
      /^name: missing, and the file name 'My Agent' is not a valid id.*'my-agent'/,
    );
    expect(problemOf('---\nname: 42\ndescription: Reviews.\n---\n').reason).toMatch(
      /^name: expected a string id.*got 42$/,
    );
  });

  it.each([
    ['tool_scope: everything', "tool_scope: expected one of isolated, restricted, shared; got 'everything'"],
    ['memory_scope: global', "memory_scope: expected one of isolated, snapshot, shared; got 'global'"],
    ['max_steps: 0', 'max_steps: expected a positive integer; got 0'],
    ['maxTurns: 2.5', 'maxTurns: expected a positive integer; got 2.5'],
    ["max_steps: '8'", "max_steps: expected a positive integer; got '8'"],
    ['timeout_seconds: -5', 'timeout_seconds: expected a positive integer; got -5'],
    ['max_retries: -1', 'max_retries: expected an integer >= 0; got -1'],
    ['model: ""', 'model: expected a non-empty model name'],
    ['model: 7', 'model: expected a non-empty model name'],
    ['tools: 5', 'tools: expected a comma-separated string or a list of tool names; got 5'],
    ['tools:\n  - a\n  - 3', 'tools[2]: expected a tool name; got 3'],
    ['budget_tokens: 0', 'budget_tokens: expected a whole number of tokens > 0; got 0'],
    ['budget_tokens: 1500.5', 'budget_tokens: expected a whole number of tokens > 0; got 1500.5'],
    ['budget_tokens: 10k', "budget_tokens: expected a whole number of tokens > 0; got '10k'"],
    ['budget_tokens: 1e300', 'budget_tokens: expected a whole number of tokens > 0; got 1e+300'],
    ['budget_usd: -2', 'budget_usd: expected an amount of US dollars > 0, a plain number such as 2.5; got -2'],
    ['budget_usd: 0', 'budget_usd: expected an amount of US dollars > 0'],
    ["budget_usd: '$5'", "budget_usd: expected an amount of US dollars > 0, a plain number such as 2.5; got '$5'"],
    ['budget_usd: .inf', 'budget_usd: expected an amount of US dollars > 0, a plain number such as 2.5; got Infinity'],
  ])('reports %j naming the field', (field, reason) => {
    expect(problemOf(minimal(field)).reason).toContain(reason);
  });

  it('reports every bad field at once', () => {
    const reason = problemOf(minimal('tool_scope: all\nmax_retries: x')).reason;
    expect(reason).toContain('tool_scope: expected one of');
    expect(reason).toContain("max_retries: expected an integer >= 0; got 'x'");
  });
});

describe('suggestAgentId', () => {
  it('turns a display name into an id', () => {
    expect(suggestAgentId('Code Reviewer')).toBe('code-reviewer');
    expect(suggestAgentId('  API--Helper v2! ')).toBe('api-helper-v2');
  });
});

describe('isAgentFile', () => {
  it('accepts Markdown files except a README', () => {
    expect(isAgentFile('/a/coder.md')).toBe(true);
    expect(isAgentFile('/a/coder.MD')).toBe(true);
    expect(isAgentFile('/a/README.md')).toBe(false);
    expect(isAgentFile('/a/notes.txt')).toBe(false);
    expect(isAgentFile('/a/coder.md.swp')).toBe(false);
  });
});
