// The cli-progress bar for Node terminals, loaded on first use.

/** The part of a cli-progress bar that training uses. */
export interface Bar {
  start(total: number, value: number, payload: object): void;
  update(value: number, payload: object): void;
  setTotal(total: number): void;
  stop(): void;
}

export async function terminalBar(total: number | undefined): Promise<Bar> {
  const { default: cliProgress } = await import("cli-progress");
  const format =
    total === undefined
      ? "training {value} steps | {rate} steps/s | loss {loss}"
      : "training [{bar}] {percentage}% | {value}/{total} | {rate} steps/s | ETA {eta_formatted} | loss {loss}";
  const bar = new cliProgress.SingleBar({ format, hideCursor: true, clearOnComplete: false, etaBuffer: 50 }, cliProgress.Presets.shades_classic);
  bar.start(total ?? 0, 0, { rate: "0.0", loss: "-" });
  return bar;
}
