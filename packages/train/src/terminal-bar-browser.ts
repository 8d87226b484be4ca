// Browsers have no terminal: progress goes to onProgress only. Never called (isTerminal is false).
import type { Bar } from "./terminal-bar.js";

export async function terminalBar(): Promise<Bar> {
  throw new Error("train: a terminal progress bar is not available in a browser; use onProgress");
}
