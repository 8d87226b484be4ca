// Child processes with timing, in a clean environment: no NODE_PATH, no NODE_OPTIONS (jest's
// --experimental-vm-modules), no npm_* / pnpm settings inherited from the workspace's scripts
// (pnpm passes its own rc as npm's globalconfig) except how to reach the registry.
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";

export const timings = [];

export function cleanEnv() {
  const reach = /^npm_config_(registry|cafile|ca|cert|key|proxy|https_proxy|noproxy|strict_ssl|cache|userconfig)$/i;
  const drop = /^(npm_|pnpm_|NODE_OPTIONS$|NODE_PATH$|INIT_CWD$)/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => reach.test(k) || !drop.test(k)));
  return { ...env, NODE_PATH: "" };
}

/** Runs `cmd args` in `cwd`; resolves to { code, stdout, stderr, seconds } (never rejects). */
export function run(label, cmd, args, { cwd, env = cleanEnv(), timeout = 240_000 } = {}) {
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, timeout });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const done = (code) => {
      const seconds = (performance.now() - start) / 1000;
      timings.push({ label, seconds });
      resolve({ code, stdout, stderr, seconds });
    };
    child.on("error", (e) => { stderr += String(e); done(-1); });
    child.on("close", (code, signal) => done(code ?? `killed (${signal})`));
  });
}

/** A limiter: at most `n` jobs at once (the machine's cores), each a function returning a promise. */
export function limiter(n = Math.max(2, availableParallelism())) {
  let active = 0;
  const queue = [];
  const next = () => {
    if (active >= n || queue.length === 0) return;
    active++;
    const { job, resolve } = queue.shift();
    job().then(resolve).finally(() => { active--; next(); });
  };
  return (job) => new Promise((resolve) => { queue.push({ job, resolve }); next(); });
}

export function describeFailure({ code, stdout, stderr }) {
  return `exit ${code}\n--- stdout\n${stdout.slice(-4000)}\n--- stderr\n${stderr.slice(-4000)}`;
}
