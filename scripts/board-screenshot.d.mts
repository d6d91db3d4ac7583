export interface ScreenshotOptions {
  url: string;
  out: string;
  token?: string;
  /** Task ids whose rows to open, in order. */
  open?: string[];
  width?: number;
  height?: number;
  dark?: boolean;
  /** Device pixels per CSS pixel (default 2: sharp in a README). */
  scale?: number;
  fullPage?: boolean;
}

/** Screenshots a running board (see board-screenshot.mjs); resolves to the absolute path written. */
export declare function screenshotBoard(options: ScreenshotOptions): Promise<string>;
