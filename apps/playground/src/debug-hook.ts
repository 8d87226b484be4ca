// window.__playground: what the page did, in numbers, for the e2e test and for curious developers
// (the DOM shows the same things rounded).
import type { EvalEvent } from "./train-loop.js";

export interface PlaygroundRecord {
  status: string;
  /** tf.getBackend() once a backend has started, else null. */
  backend: string | null;
  /** Runs started (including ones that failed to start). */
  runs: number;
  /** The current run's loss per step. */
  losses: number[];
  /** The current run's evaluations (accuracy and live tensors at each). */
  evals: Omit<EvalEvent, "predicted">[];
  /** Live tensors now (0 before any backend is chosen). */
  numTensors: () => number;
}

declare global {
  interface Window {
    __playground?: PlaygroundRecord;
  }
}

export function installRecord(numTensors: () => number): PlaygroundRecord {
  const record: PlaygroundRecord = { status: "idle", backend: null, runs: 0, losses: [], evals: [], numTensors };
  window.__playground = record;
  return record;
}
