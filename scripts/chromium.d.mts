import type { Browser } from 'playwright-core';

export declare const CHROMIUM_PATH: string;
export declare const CHROMIUM_ARGS: readonly string[];
/** Launches the Debian Chromium headless through playwright-core (see chromium.mjs). */
export declare function launchChromium(): Promise<Browser>;
