/**
 * A real headless Chromium for the browser tests (scripts/chromium.mjs: the Debian package through
 * playwright-core), and pages that record every console error, uncaught exception and failed request, so a
 * test can assert there were none.
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.mjs';

export { launchChromium };

/** What went wrong in a page, in the words the browser used. */
export interface PageProblems {
  /** console.error calls and errors the browser logs (CSP violations, failed loads). */
  consoleErrors: string[];
  /** Exceptions nothing caught. */
  pageErrors: string[];
  /** Requests that never got a response (aborted streams count). */
  failedRequests: string[];
  /** Everything above in one list. */
  all(): string[];
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  problems: PageProblems;
  close(): Promise<void>;
}

export const LAPTOP = { width: 1280, height: 800 } as const;
/** A phone's CSS viewport (an iPhone 13/14: 390 × 844). */
export const PHONE = { width: 390, height: 844 } as const;

/** A fresh context (no storage shared with other tests) and one page in it, watched from the first moment. */
export async function openWatchedPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: LAPTOP, reducedMotion: 'reduce', ...options });
  // Shorter than a test's own timeout, so a missing element fails with playwright's message, not vitest's.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const failedRequests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
  page.on('requestfailed', (request) =>
    failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText ?? 'failed'}`),
  );
  return {
    page,
    context,
    problems: {
      consoleErrors,
      pageErrors,
      failedRequests,
      all: () => [...consoleErrors, ...pageErrors, ...failedRequests],
    },
    close: () => context.close(),
  };
}
