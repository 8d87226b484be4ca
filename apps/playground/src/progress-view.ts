// The progress bar and its line of text: steps done, rate and time left.
export class ProgressView {
  constructor(
    private readonly bar: HTMLProgressElement,
    private readonly text: HTMLElement,
  ) {}

  reset(total: number): void {
    this.bar.max = Math.max(1, total);
    this.bar.value = 0;
    this.text.textContent = `0 / ${total} steps`;
  }

  update(step: number, total: number, rate: number, eta: number | undefined): void {
    this.bar.value = step;
    const left = eta === undefined || !Number.isFinite(eta) ? "" : ` · ETA ${seconds(eta)}`;
    this.text.textContent = `${step} / ${total} steps · ${rate.toFixed(1)} steps/s${left}`;
  }

  /** The last line of a run: how it ended, with its final rate. */
  finish(step: number, total: number, how: string, elapsed: number): void {
    this.bar.value = step;
    this.text.textContent = `${step} / ${total} steps · ${how} after ${seconds(elapsed)}`;
  }
}

/** A duration for people: "5.2 s", "42 s", "2 min 0 s". */
export function seconds(s: number): string {
  if (s < 59.5) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  // Round once, so 119.7 s reads "2 min 0 s", not "1 min 60 s".
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}
