// Checks what each published package would contain: builds, packs every package into a temp dir,
// then checks the packed manifest and files (LICENSE, no src/ paths, no source maps, peer ranges),
// and runs arethetypeswrong and publint --strict on the tarball. Prints one line per package and
// exits non-zero on any problem not explained below (each explanation is in the package README's
// "Package format" line). Needs the npm registry for the two tools (npx). Local only, not in CI.
//   node scripts/check-packages.mjs [--no-build] [package-dir-name ...]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const PACKAGES = ["backend", "functors", "optimisers", "nn", "train", "evolve", "fluxion"];
const ATTW = "@arethetypeswrong/cli@0.18.5";
const PUBLINT = "publint@0.3.25";
const PEER_RANGE = "^4.22.0";

// attw findings that are a decision, not a defect. ESM-only packages: Node's require(esm), which
// every Node the engines field admits has, loads them; TypeScript's node16 CJS mode predates it.
const EXPLAINED = {
  CJSResolvesToESM: "ESM only; require() works through require(esm) on every Node engines admits",
};

const args = process.argv.slice(2);
const build = !args.includes("--no-build");
const only = args.filter((a) => !a.startsWith("--"));
const names = only.length > 0 ? only : PACKAGES;

function run(cmd, cmdArgs, cwd) {
  const r = spawnSync(cmd, cmdArgs, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  return { status: r.status ?? 1, out: `${r.stdout ?? ""}${r.stderr ?? ""}`, stdout: r.stdout ?? "" };
}

function tarText(tgz, file) {
  return run("tar", ["-xzf", tgz, "-O", `package/${file}`]).stdout;
}

/** Problems of our own rules, read from the tarball. */
function contentProblems(tgz) {
  const problems = [];
  const files = run("tar", ["-tzf", tgz]).stdout.split("\n").filter(Boolean);
  const manifestText = tarText(tgz, "package.json");
  const manifest = JSON.parse(manifestText);
  if (tarText(tgz, "LICENSE") !== readFileSync(join(root, "LICENSE"), "utf8")) problems.push("LICENSE missing or not the root's");
  const maps = files.filter((f) => f.endsWith(".map"));
  if (maps.length > 0) problems.push(`source maps shipped without their sources: ${maps[0]}…`);
  for (const bad of ["src/", "@fluxion/source", "workspace:", "catalog:"]) {
    if (manifestText.includes(bad)) problems.push(`packed package.json mentions ${bad}`);
  }
  for (const [dep, range] of Object.entries(manifest.peerDependencies ?? {})) {
    if (dep.startsWith("@tensorflow/") && range !== PEER_RANGE) problems.push(`peer ${dep} is ${range}, not ${PEER_RANGE}`);
  }
  const engines = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).engines.node;
  if (manifest.engines?.node !== engines) problems.push(`engines.node is ${manifest.engines?.node}, not the root's ${engines}`);
  return problems;
}

function attwProblems(tgz, readme) {
  const r = run("npx", ["--yes", ATTW, "--format", "json", tgz]);
  let found;
  try {
    found = Object.values(JSON.parse(r.stdout).problems ?? {}).flat();
  } catch {
    return { explained: [], problems: [`attw did not run: ${r.out.trim().split("\n").slice(-3).join(" ")}`] };
  }
  const explained = found.filter((p) => EXPLAINED[p.kind] && readme.includes("Package format"));
  const problems = found
    .filter((p) => !explained.includes(p))
    .map((p) => `attw ${p.kind} (${p.entrypoint ?? ""} ${p.resolutionKind ?? ""})`.replace(" ( )", ""));
  return { explained: [...new Set(explained.map((p) => p.kind))], problems };
}

function publintProblems(tgz) {
  const r = run("npx", ["--yes", PUBLINT, "--strict", tgz]);
  const lines = r.out.split("\n").filter((l) => l.trim() && !/^(Running publint|Unpacking|Linting|All good)/.test(l));
  return r.status === 0 && lines.length === 0 ? [] : [`publint: ${lines.join(" | ") || `exit ${r.status}`}`];
}

if (build) {
  const b = run("pnpm", ["run", "build"], root);
  if (b.status !== 0) {
    console.error(b.out);
    process.exit(1);
  }
}

const out = mkdtempSync(join(tmpdir(), "fluxion-pack-"));
let failed = 0;
for (const name of names) {
  const dir = join(root, "packages", name);
  const dest = join(out, name);
  mkdirSync(dest);
  const pack = run("pnpm", ["pack", "--pack-destination", dest], dir);
  const tgz = readdirSync(dest).find((f) => f.endsWith(".tgz"));
  if (pack.status !== 0 || !tgz) {
    console.log(`✗ ${name}: pnpm pack failed\n${pack.out}`);
    failed++;
    continue;
  }
  const path = join(dest, tgz);
  const readme = readFileSync(join(dir, "README.md"), "utf8");
  const attw = attwProblems(path, readme);
  const problems = [...contentProblems(path), ...attw.problems, ...publintProblems(path)];
  const note = attw.explained.length > 0 ? ` (explained: ${attw.explained.map((k) => `${k}: ${EXPLAINED[k]}`).join("; ")})` : "";
  if (problems.length === 0) console.log(`✓ ${name}: ${tgz}${note}`);
  else {
    failed++;
    console.log(`✗ ${name}: ${tgz}${note}\n${problems.map((p) => `    ${p}`).join("\n")}`);
  }
}
rmSync(out, { recursive: true, force: true });
console.log(`${names.length - failed} of ${names.length} packages clean`);
process.exit(failed === 0 ? 0 : 1);
