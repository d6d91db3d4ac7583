import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, parseTokens } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { DEFAULT_PRICES } from '../src/usage/prices.js';

const HOME = { HOME: '/home/ada' };

/** The ConfigError `fn` throws. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('parseConfig', () => {
  it('uses the defaults when no flag, variable or file sets anything', () => {
    expect(parseConfig({}, HOME, null)).toEqual({
      transport: 'stdio',
      http: null,
      store: path.join('/home/ada', '.baton', 'store.json'),
      as: 'host',
      agents: null,
      model: null,
      maxConcurrency: 8,
      maxDepth: 3,
      maxPerSession: 10,
      defaultTimeout: 600,
      tokens: null,
      adminToken: null,
      tools: null,
      logLevel: 'info',
      workspace: null,
      permissions: [],
      mcpServers: {},
      models: {},
      bundledAgents: true,
      maxSessions: 64,
      sessionIdleTimeout: 1800,
      leaseSeconds: 30,
      maxTokensPerRoot: null,
      prices: DEFAULT_PRICES,
    });
  });

  describe('usage and budgets', () => {
    it('reads --max-tokens-per-root from the flag or "maxTokensPerRoot" in the file, the flag winning', () => {
      expect(parseConfig({ maxTokensPerRoot: '50000' }, HOME, { maxTokensPerRoot: 9 }).maxTokensPerRoot).toBe(50_000);
      expect(parseConfig({}, HOME, { maxTokensPerRoot: 1000 }).maxTokensPerRoot).toBe(1000);
    });

    it.each([['0'], ['-5'], ['1.5'], ['lots']])('refuses --max-tokens-per-root %s in one line', (value) => {
      expect(configError(() => parseConfig({ maxTokensPerRoot: value }, HOME, null)).message).toBe(
        `invalid --max-tokens-per-root: expected a whole number ≥ 1 (got "${value}")`,
      );
    });

    it('lays "prices" over the shipped defaults, an entry replacing the default of its model whole', () => {
      const prices = parseConfig({}, HOME, {
        prices: {
          'Anthropic:claude-opus-5-5': { input: 3, output: 15 },
          'openai:gpt-5': { input: 1.25, output: 10, cacheRead: 0.125 },
        },
      }).prices;
      expect(prices['anthropic:claude-opus-5-5']).toEqual({ input: 3, output: 15 });
      expect(prices['openai:gpt-5']).toEqual({ input: 1.25, output: 10, cacheRead: 0.125 });
      expect(prices['anthropic:claude-sonnet-5-5']).toEqual(DEFAULT_PRICES['anthropic:claude-sonnet-5-5']);
    });

    it.each([
      [
        { 'anthropic:claude-x': { input: '3', output: 15 } },
        '"anthropic:claude-x".input: expected a price in USD per million tokens, a number ≥ 0 (got "3")',
      ],
      [
        { 'anthropic:claude-x': { input: 3 } },
        '"anthropic:claude-x".output: expected a price in USD per million tokens, a number ≥ 0 (missing)',
      ],
      [
        { 'anthropic:claude-x': { input: -1, output: 1 } },
        '"anthropic:claude-x".input: expected a price in USD per million tokens, a number ≥ 0 (got -1)',
      ],
      [
        { 'anthropic:claude-x': { input: 1, output: 1, cache_read: 0.1 } },
        '"anthropic:claude-x": unknown field "cache_read"; known: input, output, cacheRead, cacheWrite, longPrompt',
      ],
      [
        { 'anthropic:claude-x': { input: 1, output: 1, longPrompt: { input: 2, output: 2 } } },
        '"anthropic:claude-x".longPrompt.aboveTokens: expected a whole number of prompt tokens > 0 (missing)',
      ],
      [
        { sonnet: { input: 1, output: 1 } },
        '"sonnet": expected provider:model as the key, with provider one of anthropic, openai, sampling',
      ],
      [{ 'antropic:claude-x': { input: 1, output: 1 } }, '"antropic:claude-x": expected provider:model as the key'],
      [
        { 'anthropic:claude-x': 3 },
        '"anthropic:claude-x": expected {input, output, cacheRead?, cacheWrite?, longPrompt?} in USD per million tokens (got 3)',
      ],
      [[], 'expected an object of "provider:model": {input, output, …} entries'],
    ])('refuses a bad "prices" entry in one line naming it (%j)', (prices, message) => {
      const error = configError(() => parseConfig({}, HOME, { prices }));
      expect(error.message).toContain(`invalid "prices" in baton.config.json: ${message}`);
      expect(error.message).not.toContain('\n');
    });
  });

  describe('what agents may use', () => {
    it('reads --allow as a list, and "permissions" in the file as a list or {allow}', () => {
      expect(parseConfig({ allow: 'write,bash' }, HOME, { permissions: [] }).permissions).toEqual(['write', 'bash']);
      expect(parseConfig({}, HOME, { permissions: ['bash'] }).permissions).toEqual(['bash']);
      expect(parseConfig({}, HOME, { permissions: { allow: ['write'] } }).permissions).toEqual(['write']);
      expect(configError(() => parseConfig({ allow: 'write,root' }, HOME, null)).message).toMatch(
        /^invalid --allow: .*expected write, bash/,
      );
    });

    it('reads repeated --workspace flags or a list in the file', () => {
      expect(parseConfig({ workspace: ['/a', '/b'] }, HOME, { workspace: ['/c'] }).workspace).toEqual(['/a', '/b']);
      expect(parseConfig({}, HOME, { workspace: '/c' }).workspace).toEqual(['/c']);
    });

    it('merges mcpServers of the file with each --mcp-config file, later ones winning', () => {
      const config = parseConfig({}, HOME, { mcpServers: { fs: { command: 'a' }, web: { url: 'http://x/mcp' } } }, [
        { source: '/one.json', value: { mcpServers: { fs: { command: 'b', args: ['--root', '/'] } } } },
        { source: '/two.json', value: { memory: { command: 'c', env: { K: 'v' } } } },
      ]);
      expect(config.mcpServers).toEqual({
        fs: { command: 'b', args: ['--root', '/'], env: {} },
        web: { url: 'http://x/mcp', headers: {} },
        memory: { command: 'c', args: [], env: { K: 'v' } },
      });
    });

    it.each([
      [{ mcpServers: { fs: { args: [] } } }, [], /^invalid "mcpServers" in baton\.config\.json: fs: expected/],
      [{ mcpServers: { 'bad name!': { command: 'x' } } }, [], /^invalid "mcpServers" .*a server name is/],
      [
        null,
        [{ source: '/m.json', value: { mcpServers: { web: { url: 'ftp://x' } } } }],
        /^invalid --mcp-config \/m\.json: web/,
      ],
    ])('refuses a bad server entry naming where it came from (%j)', (file, mcpFiles, message) => {
      expect(configError(() => parseConfig({}, HOME, file, mcpFiles)).message).toMatch(message);
    });

    it('merges --model-map over "models", lower-casing the keys', () => {
      const config = parseConfig({ modelMap: ['Sonnet=openai:qwen3', 'anthropic:*=openai:llama3.1:8b'] }, HOME, {
        models: { sonnet: 'openai:gpt-4.1', opus: 'openai:gpt-4.1' },
      });
      expect(config.models).toEqual({
        sonnet: 'openai:qwen3',
        opus: 'openai:gpt-4.1',
        'anthropic:*': 'openai:llama3.1:8b',
      });
      expect(configError(() => parseConfig({ modelMap: ['sonnet'] }, HOME, null)).message).toMatch(
        /^invalid --model-map: expected ALIAS=PROVIDER:MODEL/,
      );
    });

    it('turns the bundled agents off with --no-bundled-agents or "bundledAgents": false', () => {
      expect(parseConfig({ bundledAgents: false }, HOME, null).bundledAgents).toBe(false);
      expect(parseConfig({ bundledAgents: true }, HOME, { bundledAgents: false }).bundledAgents).toBe(false);
      expect(configError(() => parseConfig({}, HOME, { bundledAgents: 'no' })).message).toMatch(/bundledAgents/);
    });
  });

  it('takes the lease of subagent claims from --lease-seconds or "leaseSeconds", 30 by default', () => {
    expect(parseConfig({}, HOME, null).leaseSeconds).toBe(30);
    expect(parseConfig({ leaseSeconds: '1.5' }, HOME, { leaseSeconds: 9 }).leaseSeconds).toBe(1.5);
    expect(parseConfig({}, HOME, { leaseSeconds: 9 }).leaseSeconds).toBe(9);
    expect(configError(() => parseConfig({ leaseSeconds: '0' }, HOME, null)).message).toMatch(
      /^invalid --lease-seconds: expected a number of seconds > 0/,
    );
  });

  it('bounds HTTP sessions by --max-sessions and --session-idle-timeout, or the file', () => {
    expect(parseConfig({ maxSessions: '5', sessionIdleTimeout: '0.5' }, HOME, null)).toMatchObject({
      maxSessions: 5,
      sessionIdleTimeout: 0.5,
    });
    expect(parseConfig({}, HOME, { maxSessions: 2, sessionIdleTimeout: 60 })).toMatchObject({
      maxSessions: 2,
      sessionIdleTimeout: 60,
    });
    expect(configError(() => parseConfig({ maxSessions: '0' }, HOME, null)).message).toMatch(/^invalid --max-sessions/);
    expect(configError(() => parseConfig({ sessionIdleTimeout: 'soon' }, HOME, null)).message).toMatch(
      /^invalid --session-idle-timeout/,
    );
  });

  describe.each([
    { key: 'store', flag: 'store', env: 'BATON_STORE', values: ['/f/store.json', '/e/store.json', '/c/store.json'] },
    { key: 'as', flag: 'as', env: 'BATON_AS', values: ['flag-agent', 'env-agent', 'file-agent'] },
    { key: 'model', flag: 'model', env: 'BATON_MODEL', values: ['anthropic:a', 'openai:b', 'openai:c'] },
    { key: 'tokens', flag: 'tokens', env: 'BATON_TOKENS', values: ['/f/tokens.json', '/e/t.json', '/c/t.json'] },
    { key: 'logLevel', flag: 'logLevel', env: 'BATON_LOG_LEVEL', values: ['debug', 'warn', 'error'] },
  ] as const)('$key', ({ key, flag, env, values: [fromFlag, fromEnv, fromFile] }) => {
    it('takes the flag over the environment and the file', () => {
      expect(parseConfig({ [flag]: fromFlag }, { ...HOME, [env]: fromEnv }, { [key]: fromFile })[key]).toBe(fromFlag);
    });
    it('takes the environment over the file when there is no flag', () => {
      expect(parseConfig({}, { ...HOME, [env]: fromEnv }, { [key]: fromFile })[key]).toBe(fromEnv);
    });
    it('takes the file when there is neither flag nor variable', () => {
      expect(parseConfig({}, HOME, { [key]: fromFile })[key]).toBe(fromFile);
    });
    it('skips an empty environment variable', () => {
      expect(parseConfig({}, { ...HOME, [env]: '' }, { [key]: fromFile })[key]).toBe(fromFile);
    });
  });

  it('takes numeric options from the flag (as text) over the file', () => {
    const config = parseConfig(
      { maxConcurrency: '2', maxDepth: '0', maxPerSession: '4', defaultTimeout: '1.5' },
      HOME,
      { maxConcurrency: 16, maxDepth: 5, maxPerSession: 20, defaultTimeout: 60 },
    );
    expect(config).toMatchObject({ maxConcurrency: 2, maxDepth: 0, maxPerSession: 4, defaultTimeout: 1.5 });
    expect(parseConfig({}, HOME, { maxConcurrency: 16, defaultTimeout: 60 })).toMatchObject({
      maxConcurrency: 16,
      defaultTimeout: 60,
    });
  });

  it('reads agent folders from repeated flags, a path list in BATON_AGENTS, or an array in the file', () => {
    expect(parseConfig({ agents: ['a', 'b'] }, { ...HOME, BATON_AGENTS: 'x' }, null).agents).toEqual(['a', 'b']);
    const list = ['/one', '/two'].join(path.delimiter);
    expect(parseConfig({}, { ...HOME, BATON_AGENTS: list }, null).agents).toEqual(['/one', '/two']);
    expect(parseConfig({}, HOME, { agents: ['/f'] }).agents).toEqual(['/f']);
  });

  it('splits --tools on commas and drops blanks', () => {
    expect(parseConfig({ tools: 'delegate_task, get_task,,' }, HOME, null).tools).toEqual([
      'delegate_task',
      'get_task',
    ]);
    expect(parseConfig({}, HOME, { tools: ['list_tasks'] }).tools).toEqual(['list_tasks']);
  });

  describe('--http', () => {
    it.each([
      ['3000', { host: '127.0.0.1', port: 3000 }],
      ['127.0.0.1:3000', { host: '127.0.0.1', port: 3000 }],
      ['[::1]:3000', { host: '::1', port: 3000 }],
      ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
      ['localhost:65535', { host: 'localhost', port: 65535 }],
    ])('parses %s', (value, http) => {
      expect(parseConfig({ http: value, tokens: 'tokens.json' }, HOME, null)).toMatchObject({
        transport: 'http',
        http,
      });
    });

    it('refuses a non-loopback address without tokens', () => {
      for (const address of ['0.0.0.0', '[::]', '10.0.0.1', '[::ffff:10.0.0.1]']) {
        expect(() => parseConfig({ http: `${address}:3000` }, HOME, null), address).toThrow(
          /refusing to listen on .* without --tokens/,
        );
      }
      for (const address of ['127.0.0.2', '[::1]', '[::ffff:127.0.0.1]']) {
        expect(() => parseConfig({ http: `${address}:3000` }, HOME, null), address).not.toThrow();
      }
    });

    it('leaves host names, 127.example included, to be resolved when the server starts', () => {
      // Decided on the resolved addresses by the HTTP transport (test/transports/http-guards.test.ts).
      expect(parseConfig({ http: '127.example:3000' }, HOME, null).http).toEqual({ host: '127.example', port: 3000 });
    });

    it('reads "http" from the config file, as a number too, and lets the flag win', () => {
      expect(parseConfig({}, HOME, { http: 8080 }).http).toEqual({ host: '127.0.0.1', port: 8080 });
      expect(parseConfig({ http: '9090' }, HOME, { http: 8080 }).http).toEqual({ host: '127.0.0.1', port: 9090 });
    });

    it('serves stdio when --stdio is given and the config file asks for http', () => {
      expect(parseConfig({ stdio: true }, HOME, { http: 8080 })).toMatchObject({ transport: 'stdio', http: null });
    });

    it.each(['abc', '70000', '::1:3000', '127.0.0.1:', ''])('refuses %j naming --http', (value) => {
      expect(configError(() => parseConfig({ http: value }, HOME, null)).message).toMatch(
        /^invalid --http: expected \[HOST:\]PORT/,
      );
    });

    it('names the config file when its "http" is bad', () => {
      expect(configError(() => parseConfig({}, HOME, { http: 'nope' })).message).toMatch(
        /^invalid "http" in baton\.config\.json: /,
      );
    });
  });

  describe('bad values', () => {
    it.each([
      [{ defaultTimeout: 'soon' }, {}, null, /^invalid --default-timeout: .* \(got "soon"\)$/],
      [{ defaultTimeout: '-5' }, {}, null, /^invalid --default-timeout: /],
      [{ maxConcurrency: '0' }, {}, null, /^invalid --max-concurrency: /],
      [{ maxDepth: '1.5' }, {}, null, /^invalid --max-depth: /],
      [{ as: 'no spaces' }, {}, null, /^invalid --as: .*letters, digits/],
      [{ logLevel: 'loud' }, {}, null, /^invalid --log-level: /],
      [{}, { BATON_LOG_LEVEL: 'loud' }, null, /^invalid BATON_LOG_LEVEL: .* \(got "loud"\)$/],
      [{}, { BATON_AS: '-dash' }, null, /^invalid BATON_AS: /],
      [{}, {}, { maxDepth: -1 }, /^invalid "maxDepth" in baton\.config\.json: .* \(got -1\)$/],
      [{}, {}, { logLevel: 'loud' }, /^invalid "logLevel" in baton\.config\.json: /],
      [{}, {}, { store: 42 }, /^invalid "store" in baton\.config\.json: /],
    ] as const)('refuses %j / %j / %j with a line naming its source', (flags, env, file, message) => {
      const error = configError(() => parseConfig(flags, { ...HOME, ...env }, file));
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('\n');
      expect(error.code).toBe('bad_config');
    });

    it.each([
      [{ maxDepth: 'abc' }, null, 'invalid --max-depth: expected a whole number ≥ 0 (got "abc")'],
      [{ maxDepth: '1.5' }, null, 'invalid --max-depth: expected a whole number ≥ 0 (got "1.5")'],
      [{ maxConcurrency: '0' }, null, 'invalid --max-concurrency: expected a whole number ≥ 1 (got "0")'],
      [{ maxPerSession: 'ten' }, null, 'invalid --max-per-session: expected a whole number ≥ 1 (got "ten")'],
      [{ defaultTimeout: 'soon' }, null, 'invalid --default-timeout: expected a number of seconds > 0 (got "soon")'],
      [{}, { maxDepth: true }, 'invalid "maxDepth" in baton.config.json: expected a whole number ≥ 0 (got true)'],
      [
        {},
        { logLevel: 'loud' },
        'invalid "logLevel" in baton.config.json: expected one of debug, info, warn, error, silent (got "loud")',
      ],
    ] as const)('says in words what an option expects: %j / %j', (flags, file, message) => {
      expect(configError(() => parseConfig(flags, HOME, file)).message).toBe(message);
    });

    it('refuses an unknown key in the config file and lists the known ones', () => {
      const { message } = configError(() => parseConfig({}, HOME, { store: '/s.json', colour: 'red' }));
      expect(message).toMatch(/^baton\.config\.json: unknown option "colour"; known: .*\bstore\b.*\bhttp\b/);
    });

    it('refuses --stdio together with --http', () => {
      expect(configError(() => parseConfig({ stdio: true, http: '3000' }, HOME, null)).message).toBe(
        'choose one transport: --stdio or --http, not both',
      );
    });

    it('reports a bad flag even when the variable and file hold good values', () => {
      expect(
        configError(() =>
          parseConfig({ logLevel: 'loud' }, { ...HOME, BATON_LOG_LEVEL: 'warn' }, { logLevel: 'error' }),
        ).message,
      ).toMatch(/^invalid --log-level: /);
    });
  });
});

describe('parseTokens', () => {
  const alice = 'alice-token-0123456789';
  const bob = 'bob-token-0123456789ab';

  it('maps each token to its agent id', () => {
    expect(parseTokens({ [alice]: 'alice', [bob]: 'bob' }, 'tokens.json')).toEqual(
      new Map([
        [alice, 'alice'],
        [bob, 'bob'],
      ]),
    );
  });

  it.each([
    [{ 'short-token': 'alice' }, /the token of "alice" is shorter than 16 characters/],
    [{}, /the token file maps no token/],
    [[alice], /expected record, received array/],
    ['tokens', /expected record, received string/],
    [{ [alice]: 'not an id' }, /agent id "not an id": letters, digits/],
    [{ [alice]: 7 }, /agent id 7: /],
  ])('refuses %j naming the file', (raw, message) => {
    const error = configError(() => parseTokens(raw, '/etc/baton/tokens.json'));
    expect(error.message).toMatch(/^invalid token file \/etc\/baton\/tokens\.json: /);
    expect(error.message).toMatch(message);
  });

  it('never puts a token in its error message', () => {
    for (const raw of [{ 'short-secret': 'alice' }, { [alice]: 'not an id' }, { [alice]: 7 }]) {
      const { message } = configError(() => parseTokens(raw, 'tokens.json'));
      for (const token of Object.keys(raw)) expect(message).not.toContain(token);
    }
  });
});
