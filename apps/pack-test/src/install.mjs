// A fresh folder outside the workspace, with what a user would install: the tarballs of the
// packages named (and of their fluxion dependencies, as the registry would bring them) and the
// other packages from the npm registry. One npm cache serves every folder.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { run } from "./run.mjs";
import { withFluxionDeps } from "./workspace.mjs";

export async function installFolder(dir, names, { packages, tarballs, versions }) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "pack-test-app", private: true, type: "module" }, null, 2));
  const fluxion = new Set(packages.map((p) => p.name));
  const local = withFluxionDeps(names.filter((n) => fluxion.has(n)), packages).map((n) => tarballs[n]);
  const remote = [...names.filter((n) => !fluxion.has(n)), "typescript"].map((n) => (versions[n] ? `${n}@${versions[n]}` : n));
  const r = await run(`npm install in ${dir}`, "npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...local, ...remote], { cwd: dir });
  if (r.code !== 0) throw new Error(`npm install in ${dir} failed:\n${r.stderr}${r.stdout}`);
}

/** node_modules folders Node would search above `dir` (or globally) for a bare import. */
export function modulesAbove(dir) {
  const found = [];
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (existsSync(join(d, "node_modules"))) found.push(join(d, "node_modules"));
    if (dirname(d) === d) break;
  }
  const home = process.env.HOME ?? "";
  return [...found, ...[join(home, ".node_modules"), join(home, ".node_libraries")].filter((d) => home && existsSync(d))];
}
