/**
 * Bearer tokens for the HTTP transport (SPEC §10), and no OAuth dead ends. Baton's tokens come from its `--tokens`
 * file; it is no OAuth authorization server. MCP clients that see a 401 look for OAuth metadata first (MCP
 * authorization spec: RFC 9728 protected resource metadata, then RFC 8414 / OpenID discovery); a 404 there tells
 * them at once that there is no login to wait for, and the 401's body says what to send instead.
 */
import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

/** How a client passes its token; shown in every 401. */
export const BEARER_HINT =
  'send the header "Authorization: Bearer <token>" with a token from the server\'s --tokens file';

/**
 * The OAuth endpoints a client falls back to when discovery finds nothing (MCP authorization 2025-03-26: default
 * paths at the server's origin); the SDK's client registers at `/register` before it would open a browser.
 */
const OAUTH_DEFAULT_ENDPOINTS = new Set(['/authorize', '/token', '/register']);

/**
 * Answers 404 to the OAuth discovery documents, without a token: `/.well-known/oauth-protected-resource`,
 * `/.well-known/oauth-authorization-server`, `/.well-known/openid-configuration`, their path-suffixed forms
 * (`/.well-known/oauth-protected-resource/mcp`), the OpenID form appended to a path (`/mcp/.well-known/…`), and
 * the default endpoints. The body is an OAuth error (RFC 6749 §5.2 shape), so OAuth clients show its description.
 */
export const noOAuthDiscovery: RequestHandler = (req, res, next) => {
  if (!OAUTH_DEFAULT_ENDPOINTS.has(req.path) && !/(^|\/)\.well-known\//.test(req.path)) return next();
  res.status(404).json({
    error: 'not_found',
    error_description: `Baton does not use OAuth: ${BEARER_HINT}`,
  });
};

/**
 * Puts the caller's agent id in `res.locals.agentId`: the token's agent, or `agentId` when there are no tokens.
 * A request without a known token gets 401 with a `WWW-Authenticate: Bearer` challenge (RFC 6750 §3: no error
 * code when no token was sent, `invalid_token` for an unknown one) and a JSON-RPC error saying what to send.
 */
export function bearerAuth(tokens: Map<string, string> | null, agentId: string): RequestHandler {
  // Tokens are kept by hash, so a lookup does not compare secrets character by character.
  const byHash = tokens ? new Map([...tokens].map(([token, id]) => [sha256(token), id])) : null;
  return (req, res, next) => {
    if (byHash === null) {
      res.locals.agentId = agentId;
      return next();
    }
    const header = req.headers.authorization;
    const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
    const caller = match ? byHash.get(sha256(match[1]!.trim())) : undefined;
    if (caller !== undefined) {
      res.locals.agentId = caller;
      return next();
    }
    if (header === undefined) {
      return unauthorized(
        res,
        'Bearer realm="baton"',
        `Unauthorized: this server needs a bearer token; ${BEARER_HINT}`,
      );
    }
    const what = match ? 'unknown bearer token' : 'the Authorization header is not "Bearer <token>"';
    return unauthorized(
      res,
      `Bearer realm="baton", error="invalid_token", error_description="${what.replace(/"/g, "'")}"`,
      `Unauthorized: ${what}; ${BEARER_HINT}`,
    );
  };
}

function unauthorized(res: Response, challenge: string, message: string): void {
  res.setHeader('WWW-Authenticate', challenge);
  res.status(401).json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
