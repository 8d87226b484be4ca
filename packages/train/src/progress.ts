// Progress of a training run: a terminal bar in Node (only on a TTY), and a callback for pages.
// "#terminal-bar" resolves to a stub under the "browser" condition, so bundles never see cli-progress.
import { terminalBar } from "#terminal-bar";

/** What a progress report carries after each step. */
export interface ProgressEvent {
  /** Steps done so far (1 after the first). */
  step: number;
  /** Steps in the run, when the data has a length. */
  total?: number;
  /** The loss of the step just taken. */
  loss: number;
  /** Seconds since the run began. */
  elapsed: number;
  /** Steps per second so far. */
  rate: number;
  /** Estimated seconds left, when the total is known. */
  eta?: number;
}

/** How a run reports progress: a terminal bar, a callback, or both. */
export interface ProgressOptions {
  /** Show a terminal bar: true (default) shows it when stdout is a TTY; false never. */
  progress?: boolean;
  /** Called after every step with the run's progress (for a page to render a bar). */
  onProgress?: (event: ProgressEvent) => void;
}

/** Reports steps to the terminal bar and/or the callback. */
export interface ProgressReporter {
  /** Reports one step done, with its loss. */
  step(loss: number): void;
  /** Ends the report: stops the terminal bar, leaving its last line. */
  stop(): void;
}

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

function isTerminal(): boolean {
  const proc = (globalThis as { process?: { stdout?: { isTTY?: boolean }; versions?: { node?: string } } }).process;
  return Boolean(proc?.versions?.node && proc.stdout?.isTTY);
}

/** A reporter for a run of `total` steps (if known) with these options. */
export async function progressReporter(options: ProgressOptions, total: number | undefined): Promise<ProgressReporter> {
  const started = now();
  const bar = options.progress !== false && isTerminal() ? await terminalBar(total) : null;
  let step = 0;
  return {
    step(loss: number) {
      step += 1;
      const elapsed = (now() - started) / 1000;
      const rate = elapsed > 0 ? step / elapsed : 0;
      bar?.update(step, { rate: rate.toFixed(1), loss: loss.toPrecision(4) });
      if (options.onProgress) {
        const eta = total !== undefined && rate > 0 ? (total - step) / rate : undefined;
        options.onProgress({ step, total, loss, elapsed, rate, ...(eta === undefined ? {} : { eta }) });
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
