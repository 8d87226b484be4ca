// A real redis-server for the queue tests: started on 127.0.0.1 on a free port with its own data
// directory, stopped by its pid. CI installs Debian's redis-server (.ci/run); a machine without it
// skips the queue tests with one clear message (outside CI).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The redis-server binary (FLUXION_REDIS_SERVER overrides), or null when it is not installed. */
export function redisServerBinary(): string | null {
  const bin = process.env.FLUXION_REDIS_SERVER ?? "redis-server";
  const probe = spawnSync(bin, ["--version"], { encoding: "utf8" });
  return probe.status === 0 ? bin : null;
}

/** Why the queue tests are skipped here, or null when redis-server is installed. */
export function redisMissing(): string | null {
  if (redisServerBinary() !== null) return null;
  // CI installs it: there a missing server is a failure, never a quiet skip.
  if (process.env.CI) throw new Error("redis-server is not installed, but CI must run the queue tests (.ci/run installs it)");
  return "queue tests skipped: redis-server is not installed (apt-get install -y redis-server; .ci/run installs it)";
}

/** A port nothing listens on now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A running redis-server of the tests. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly pid: number;
  /** Stops it (SIGTERM, then SIGKILL after 3 s) and waits for the exit. */
  stop(): Promise<void>;
  /** Stops it and starts it again on the same port and directory (with what it persisted, if anything). */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

/** Options of `startRedis`. */
export interface RedisOptions {
  /** Keep an append-only file in its directory, so a restart keeps the queue (default: no persistence). */
  readonly appendonly?: boolean;
}

/** Starts a redis-server on a free port of 127.0.0.1 with its own temporary directory. */
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const bin = redisServerBinary();
  if (bin === null) throw new Error(redisMissing()!);
  const dir = mkdtempSync(join(tmpdir(), "fluxion-redis-"));
  const argsFor = (port: number) => ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", options.appendonly ? "yes" : "no"];
  // Another process may take the free port before redis-server binds it: then try another.
  let port = await freePort();
  let child = await launch(bin, argsFor(port), port).catch(async () => launch(bin, argsFor((port = await freePort())), port));
  const args = argsFor(port);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    process.kill(child.pid!, "SIGTERM");
    const timer = setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(child.pid!, "SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get pid() {
      return child.pid!;
    },
    stop,
    async restart() {
      await stop();
      child = await launch(bin, args, port);
    },
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Spawns redis-server and waits until its port accepts connections (or it exits). */
async function launch(bin: string, args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += String(d)));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} before listening on ${port}: ${stderr}`);
    if (await accepts(port)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  process.kill(child.pid!, "SIGKILL");
  throw new Error(`redis-server did not listen on 127.0.0.1:${port} within 10 s: ${stderr}`);
}

/** Whether 127.0.0.1:port accepts a TCP connection now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
