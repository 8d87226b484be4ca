// Progress for logs and pipes: train draws its bar only on a terminal, so elsewhere a plain line
// every few seconds shows the run is alive without flooding the log.
import type { ProgressEvent } from "fluxion";

/** An `onProgress` for `train` printing one line at most every `seconds` (0: every step). */
export function progressLines(label: string, seconds: number, print: (line: string) => void = console.log): (event: ProgressEvent) => void {
  let printedAt = 0;
  return (e) => {
    if (e.elapsed - printedAt < seconds) return;
    printedAt = e.elapsed;
    const steps = e.total === undefined ? `${e.step}` : `${e.step}/${e.total}`;
    const left = e.eta === undefined ? "" : `, about ${Math.ceil(e.eta)} s left`;
    print(`${label}: step ${steps}, loss ${e.loss.toFixed(4)}, ${e.rate.toFixed(1)} steps/s${left}`);
  };
}
