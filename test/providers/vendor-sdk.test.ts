import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { parseRetryAfter, toBatonError } from '../../src/providers/vendor-sdk.js';

describe('parseRetryAfter', () => {
  it.each([
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after-ms': '250', 'retry-after': '3' }, 250],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('reads %j as %s ms', (headers, expected) => {
    expect(parseRetryAfter(new Headers(headers))).toBe(expected);
  });

  it('reads an HTTP date as the time left until it', () => {
    const ms = parseRetryAfter(new Headers({ 'retry-after': new Date(Date.now() + 10_000).toUTCString() }));
    expect(ms).toBeGreaterThan(8_000);
    expect(ms).toBeLessThanOrEqual(10_000);
  });
});

describe('toBatonError for a connection that failed', () => {
  const fetchFailed = (code: string, message: string) =>
    new OpenAI.APIConnectionError({
      cause: new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) }),
    });

  it('fails at once on an untrusted certificate, naming NODE_EXTRA_CA_CERTS', () => {
    const error = toBatonError('openai', fetchFailed('CERT_HAS_EXPIRED', 'certificate has expired'), OpenAI);
    expect(error).toMatchObject({ code: 'tls_certificate', retryable: false });
    expect(error.message).toBe(
      "openai: the server's TLS certificate is not trusted (certificate has expired); for a private CA, set NODE_EXTRA_CA_CERTS to its PEM file",
    );
  });

  it('retries a refused connection, with the root cause in the message', () => {
    const error = toBatonError('openai', fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'), OpenAI);
    expect(error).toMatchObject({
      retryable: true,
      message: 'openai: connection failed (connect ECONNREFUSED 127.0.0.1:9)',
    });
  });
});
