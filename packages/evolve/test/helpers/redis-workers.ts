// Queue worker processes for the queue tests (test/helpers/redis-worker.ts run from the sources),
// with their output lines, so a test can wait for "evaluating candidate 2" and then kill one.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** A worker process of the tests. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Every line it printed so far (stdout and stderr). */
  readonly lines: string[];
  /** Resolves with the first line matching `pattern` from line `since` on (printed before or after the call). */
  waitFor(pattern: RegExp, since?: number): Promise<string>;
  /** Resolves with the exit code (or signal name) once it has exited. */
  readonly exited: Promise<number | string>;
}

/** Options of `spawnWorker`: the BullMQ lock and stalled-check periods in ms, and the queue. */
export interface SpawnOptions {
  readonly lockDuration?: number;
  readonly stalledInterval?: number;
  /** Default "fluxion-evolve", the evaluator's default. */
  readonly queue?: string;
}

/** Starts a worker process on the queue at `url` and waits until it serves. */
export async function spawnWorker(url: string, options: SpawnOptions = {}): Promise<WorkerProcess> {
  const args = [
    "--import",
    fileURLToPath(new URL("../support/register-ts.mjs", import.meta.url)),
    fileURLToPath(new URL("redis-worker.ts", import.meta.url)),
    url,
    String(options.lockDuration ?? 30_000),
    String(options.stalledInterval ?? 30_000),
    options.queue ?? "fluxion-evolve",
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (chunk: Buffer): void => {
    for (const line of String(chunk).split("\n").filter((l) => l !== "")) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | string>((done) => child.once("exit", (code, signal) => done(code ?? signal ?? "?")));
  const waitFor = (pattern: RegExp, since = 0, timeoutMs = 30_000): Promise<string> => {
    const seen = lines.slice(since).find((l) => pattern.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolveLine, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${child.pid} printed no line matching ${pattern} within ${timeoutMs} ms:\n${lines.join("\n")}`)), timeoutMs);
      waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolveLine(line)) });
      void exited.then((code) => reject(new Error(`worker ${child.pid} exited (${code}) before printing ${pattern}:\n${lines.join("\n")}`)));
    });
  };
  const worker = { child, lines, waitFor, exited };
  await waitFor(/^worker ready$/);
  return worker;
}

/** Stops worker processes still running (SIGKILL: the tests' clean-up, not the graceful path). */
export async function killWorkers(workers: readonly WorkerProcess[]): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
      await w.exited;
    }),
  );
}
