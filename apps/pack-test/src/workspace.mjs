// The workspace side: which packages are published, what each depends on, and their tarballs.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./run.mjs";

/** Every non-private package under packages/: { name, dir, manifest }. */
export function publishedPackages(root) {
  return readdirSync(join(root, "packages"))
    .map((d) => ({ dir: join(root, "packages", d), file: join(root, "packages", d, "package.json") }))
    .flatMap(({ dir, file }) => {
      try {
        const manifest = JSON.parse(readFileSync(file, "utf8"));
        return manifest.private ? [] : [{ name: manifest.name, dir, manifest }];
      } catch {
        return [];
      }
    });
}

/** `names` and every published package they depend on, transitively. */
export function withFluxionDeps(names, packages) {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const out = new Set();
  const visit = (name) => {
    if (out.has(name) || !byName.has(name)) return;
    out.add(name);
    Object.keys(byName.get(name).manifest.dependencies ?? {}).forEach(visit);
  };
  names.forEach(visit);
  return [...out];
}

/** Versions a user would install for the non-fluxion packages: the workspace's catalog, else latest. */
export function catalogVersions(root) {
  const yaml = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  const catalog = /^catalog:\n((?:[ \t]+.*\n?)*)/m.exec(yaml)?.[1] ?? "";
  const versions = Object.fromEntries([...catalog.matchAll(/^\s+"?([^":]+)"?:\s*"?([^"\s]+)"?/gm)].map((m) => [m[1], m[2]]));
  versions.typescript = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies.typescript;
  return versions;
}

/** `pnpm pack` of each package into `dest` (workspace: and catalog: ranges replaced); name → tarball path. */
export async function packAll(packages, dest) {
  const results = await Promise.all(
    packages.map((p) => run(`pack ${p.name}`, "pnpm", ["pack", "--json", "--pack-destination", dest], { cwd: p.dir, env: process.env })),
  );
  return Object.fromEntries(
    results.map((r, i) => {
      if (r.code !== 0) throw new Error(`pnpm pack of ${packages[i].name} failed:\n${r.stderr}${r.stdout}`);
      const { filename } = JSON.parse(r.stdout.slice(r.stdout.indexOf("{")));
      return [packages[i].name, filename.startsWith("/") ? filename : join(dest, filename)];
    }),
  );
}
