import type { Io } from './command';

/** How often a progress line is written when stderr is not a terminal (logs, CI). */
export const LOG_PROGRESS_INTERVAL_MS = 5000;
/** A command that ends sooner than this writes no progress lines to a log, only its summary. */
export const LOG_PROGRESS_FIRST_MS = 1000;
/** How often the line is redrawn on a terminal. */
const TERMINAL_REDRAW_MS = 100;

/**
 * One progress display for a long command: on a terminal a single line redrawn in place (at most
 * every 100 ms, at once when the `key`, the phase, changes); otherwise, in logs, a line on stderr
 * from the first second on and then every few seconds; never one line per file.
 */
export class ProgressReporter {
  private lastDraw = Number.NEGATIVE_INFINITY;
  private lastKey?: string;
  private readonly started: number;

  constructor(
    private readonly io: Io,
    private readonly options: {
      readonly quiet?: boolean;
      readonly now?: () => number;
      readonly intervalMs?: number;
      /** In a log, also write a line whenever the key changes (a backfill's finished runs). */
      readonly logEveryKey?: boolean;
      /** In a log, nothing before this many ms (default 1 s: a quick command prints only its result). */
      readonly firstAfterMs?: number;
      /** When the command started (default: when this process started), for `firstAfterMs`. */
      readonly startedAt?: number;
    } = {},
  ) {
    // Counted from the process's start: the operator waits from pressing Enter, not from here.
    this.started = this.options.startedAt ?? (this.options.now ? this.now() : Date.now() - process.uptime() * 1000);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /**
   * Offers a new state; `key` names the phase. `line` is rendered only when it is shown, so a
   * caller can offer thousands of updates a second for the price of a few lines.
   */
  update(line: string | (() => string), key = ''): void {
    const now = this.now();
    const text = () => (typeof line === 'function' ? line() : line);
    const changed = key !== this.lastKey;
    this.lastKey = key;
    if (this.io.progress) {
      if (changed || now - this.lastDraw >= TERMINAL_REDRAW_MS) {
        this.io.progress(text());
        this.lastDraw = now;
      }
      return;
    }
    if (this.options.quiet || now - this.started < (this.options.firstAfterMs ?? LOG_PROGRESS_FIRST_MS)) return;
    if ((changed && this.options.logEveryKey) || now - this.lastDraw >= (this.options.intervalMs ?? LOG_PROGRESS_INTERVAL_MS)) {
      this.io.err(text());
      this.lastDraw = now;
    }
  }

  /** Ends the display: clears the terminal line (the summary follows on stdout). */
  done(): void {
    if (this.io.progress) this.io.progress('');
  }
}
