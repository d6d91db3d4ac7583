/**
 * Headless Chromium for the board's browser tests and its screenshot: the Debian `chromium` package driven by
 * playwright-core (no browser download). The flags keep it off a network that is closed here anyway: no QUIC,
 * no background fetches, no component updates, no sync, no first-run pages. playwright gives every launch a fresh
 * temporary --user-data-dir and removes it at close.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.BATON_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Launches Chromium; as root it needs --no-sandbox (the sandbox refuses to run as root). */
export async function launchChromium() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set BATON_CHROMIUM)`);
  }
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: asRoot ? [...CHROMIUM_ARGS, '--no-sandbox'] : CHROMIUM_ARGS,
    timeout: 60_000,
  });
}
