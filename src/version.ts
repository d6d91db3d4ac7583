/** Baton's version, as published in the MCP `initialize` answer. Keep in step with package.json. */
export const VERSION = '0.1.0';
