import { describe, expect, it } from 'vitest';
import { expandServerConfig, McpServerConfigSchema } from '../../../src/tools/mcp-client/server-config.js';
import { mcpToolName, parseMcpToolName } from '../../../src/tools/mcp-client/tool-names.js';

describe('MCP tool names', () => {
  it("uses Claude Code's mcp__<server>__<tool>, with characters the vendors refuse replaced", () => {
    expect(mcpToolName('filesystem', 'read_text_file')).toBe('mcp__filesystem__read_text_file');
    expect(mcpToolName('my.server', 'get-tiny/image')).toBe('mcp__my_server__get-tiny_image');
    const long = mcpToolName('server', 'x'.repeat(100));
    expect(long).toHaveLength(64);
    expect(long).not.toBe(mcpToolName('server', `${'x'.repeat(99)}y`));
  });

  it('reads a tools: entry against the known servers, the longest name first', () => {
    expect(parseMcpToolName('mcp__github__create_issue', ['github'])).toEqual({
      server: 'github',
      tool: 'create_issue',
    });
    expect(parseMcpToolName('mcp__github__*', ['github'])).toEqual({ server: 'github', tool: null });
    expect(parseMcpToolName('mcp__github', ['github'])).toEqual({ server: 'github', tool: null });
    expect(parseMcpToolName('mcp__a__b__c', ['a', 'a__b'])).toEqual({ server: 'a__b', tool: 'c' });
    expect(parseMcpToolName('mcp__slack__post', [])).toEqual({ server: 'slack', tool: 'post' });
    expect(parseMcpToolName('Read', ['github'])).toBeUndefined();
  });
});

describe('MCP server config', () => {
  it('expands ${VAR} and ${VAR:-default} as .mcp.json does', () => {
    const config = McpServerConfigSchema.parse({
      url: 'https://${HOST:-mcp.example.com}/mcp',
      headers: { Authorization: 'Bearer ${TOKEN}' },
    });
    expect(expandServerConfig(config, { TOKEN: 't0k' })).toMatchObject({
      url: 'https://mcp.example.com/mcp',
      headers: { Authorization: 'Bearer t0k' },
    });
    const stdio = McpServerConfigSchema.parse({
      command: '${BIN}',
      args: ['--root', '${ROOT:-/srv}'],
      env: { K: '$' },
    });
    expect(expandServerConfig(stdio, { BIN: '/usr/bin/server' })).toMatchObject({
      command: '/usr/bin/server',
      args: ['--root', '/srv'],
      env: { K: '$' },
    });
  });
});
