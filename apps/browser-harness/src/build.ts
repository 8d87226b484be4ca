// Builds a Vite project in a child process: jest runs tests as CommonJS and Vite is ESM-only.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

export interface ViteBuildOptions {
  /** "source" (default): workspace packages from their TypeScript; "dist": as published, from dist/ (build them first). */
  from?: "source" | "dist";
}

export interface ViteBuildResult {
  outDir: string;
  /** What Vite printed at log level "warn" (fluxionViteConfig's level): empty for a clean build. */
  warnings: string[];
}

/** Runs `vite build` in `root` (which holds a vite.config.ts) into `outDir`. */
export function viteBuild(root: string, outDir: string, options: ViteBuildOptions = {}): ViteBuildResult {
  // Resolve Vite from the project being built (it imports vite in its vite.config.ts).
  const fromRoot = createRequire(path.join(root, "package.json"));
  const viteBin = path.join(path.dirname(fromRoot.resolve("vite/package.json")), "bin", "vite.js");
  const run = spawnSync(process.execPath, [viteBin, "build", "--outDir", outDir, "--emptyOutDir"], {
    cwd: root,
    env: { ...process.env, FLUXION_VITE_FROM: options.from ?? "source" },
    encoding: "utf8",
  });
  const printed = `${run.stdout ?? ""}${run.stderr ?? ""}`;
  if (run.status !== 0) throw new Error(`vite build in ${root} failed (exit ${run.status}):\n${printed || run.error?.message}`);
  return { outDir, warnings: printed.split("\n").filter((line) => line.trim() !== "") };
}
