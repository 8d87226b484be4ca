// The package boundaries of the monorepo, checked per package from its source text:
//  - layers: a package imports only packages below it in LAYERS (apps may import any);
//  - tensor-free: functors imports neither tfjs nor backend (it knows nothing of tensors);
//  - tfjs-internals: only backend deep-imports @tensorflow/*/dist|src or calls engine();
//  - declared: every bare import names a package the package.json declares.
import { builtinModules } from "node:module";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** The layer order, lowest first: a package may import only packages before it. */
export const LAYERS = ["@fluxion/backend", "@fluxion/functors", "@fluxion/optimisers", "@fluxion/nn", "@fluxion/train", "@fluxion/evolve", "fluxion"];
const TENSOR_FREE = new Set(["@fluxion/functors"]);
const TFJS_SEAM = "@fluxion/backend";
const LAYER_TEXT = LAYERS.map((n) => n.replace("@fluxion/", "")).join(" < ");

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));
const CODE = /\.(?:[cm]?[jt]s|tsx)$/;
const filesUnder = (dir) =>
  !existsSync(dir) ? [] : readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? (f === "node_modules" ? [] : filesUnder(p)) : CODE.test(f) ? [p] : [];
  });

/**
 * The workspace's packages and apps (from pnpm-workspace.yaml's `dir/*` globs), and the root's
 * own tooling (jest, fast-check: root devDependencies that are neither workspace packages nor
 * catalog entries like tfjs, which each package declares itself), which any test may import.
 */
export function readWorkspace(root) {
  const globs = [...readFileSync(join(root, "pnpm-workspace.yaml"), "utf8").matchAll(/^\s*-\s*["']?([\w.-]+)\/\*["']?\s*$/gm)].map((m) => m[1]);
  const packages = globs.flatMap((group) =>
    !existsSync(join(root, group)) ? [] : readdirSync(join(root, group))
      .map((name) => join(root, group, name))
      .filter((dir) => existsSync(join(dir, "package.json")))
      .map((dir) => ({ name: readJson(join(dir, "package.json")).name, dir, app: group === "apps" })),
  );
  const rootDev = readJson(join(root, "package.json")).devDependencies ?? {};
  const tooling = Object.keys(rootDev).filter((n) => !/^(?:workspace|catalog):/.test(rootDev[n]));
  return { root, packages, tooling };
}

const blank = (s) => s.replace(/[^\n]/g, " ");

/**
 * `text` with comments blanked, and `code` with string contents blanked too (quotes kept), so
 * that an `import` or `engine()` inside a string or comment is not code. Offsets and lines stay.
 */
function scrub(source) {
  const STRING_OR_COMMENT = /("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g;
  const text = source.replace(STRING_OR_COMMENT, (m, str) => str ?? blank(m));
  const code = text.replace(STRING_OR_COMMENT, (m) => m[0] + blank(m.slice(1, -1)) + m.at(-1));
  return { text, code };
}

// Found in `code`, the specifier (group 2) read from `text`: static imports and re-exports,
// side-effect imports, import()/require() (a template literal up to its first `${`).
const IMPORTS = [
  /\b(?:import|export)\s+(?:type\s+)?(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?)?\s*from\s*(["'])([^"']*)\1/dg,
  /\bimport\s*(["'])([^"']*)\1/dg,
  /\b(?:import|require|require\.resolve)\s*\(\s*(["'`])([^"'`]*)\1/dg,
];
const lineAt = (text, index) => text.slice(0, index).split("\n").length;

/** Every import specifier in the scrubbed source, with its line. */
function importsOf({ text, code }) {
  return IMPORTS.flatMap((re) =>
    [...code.matchAll(re)]
      .map((m) => ({ spec: text.slice(...m.indices[2]).split("${")[0], line: lineAt(code, m.index) }))
      .filter(({ spec }) => spec !== ""),
  );
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (spec) => spec.split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/");
const isBuiltin = (spec) => spec.startsWith("node:") || builtinModules.includes(packageOf(spec));
const isBare = (spec) => !/^[./#]/.test(spec) && !isBuiltin(spec);

/** Whether `#spec` is a key (or a `*` pattern) of the package.json `imports` field. */
const isOwnImport = (spec, pkg) =>
  Object.keys(pkg.imports ?? {}).some((key) => key === spec || (key.includes("*") && spec.startsWith(key.slice(0, key.indexOf("*"))) && spec.endsWith(key.slice(key.indexOf("*") + 1))));

/** The layer rule for `from` importing workspace package `to` (both names), or null if allowed. */
function layerProblem(from, to, workspace) {
  const target = workspace.packages.find((p) => p.name === to);
  if (!target || to === from) return null;
  if (target.app) return `${to} is an app; packages import only packages below them (${LAYER_TEXT})`;
  if (!LAYERS.includes(from)) return `${from} is not in the layer order (${LAYER_TEXT}): add it to LAYERS in scripts/package-boundaries.mjs`;
  if (!LAYERS.includes(to)) return `${to} is not in the layer order (${LAYER_TEXT})`;
  if (LAYERS.indexOf(to) >= LAYERS.indexOf(from)) return `${to} is not below ${from} in the layer order (${LAYER_TEXT})`;
  return null;
}

/**
 * The boundary problems of the package in `dir` (see the rules at the top), each a line naming
 * the file and line, the import and the rule. `workspace` is `readWorkspace(root)`.
 */
export function checkPackage(dir, workspace) {
  const pkg = readJson(join(dir, "package.json"));
  const app = workspace.packages.some((p) => p.app && p.name === pkg.name);
  const declaredSrc = new Set([pkg.name, ...Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies })]);
  const declaredTest = new Set([...declaredSrc, ...Object.keys(pkg.devDependencies ?? {}), ...workspace.tooling]);
  const problems = [];
  const files = [...filesUnder(join(dir, "src")).map((f) => [f, false]), ...filesUnder(join(dir, "test")).map((f) => [f, true])];
  for (const [file, isTest] of files) {
    const rel = relative(dir, file);
    const source = scrub(readFileSync(file, "utf8"));
    const report = (line, what, rule) => problems.push(`${rel}:${line}: ${what} [${rule}]`);
    for (const { spec, line } of importsOf(source)) {
      if (spec.startsWith("#")) {
        if (!isOwnImport(spec, pkg)) report(line, `imports "${spec}", which is not in package.json "imports"`, "declared");
        continue;
      }
      if (!isBare(spec)) continue;
      const name = packageOf(spec);
      const layered = app ? null : layerProblem(pkg.name, name, workspace);
      if (layered) report(line, `imports "${spec}": ${layered}`, "layers");
      if (!isTest && TENSOR_FREE.has(pkg.name) && (name.startsWith("@tensorflow/") || name === TFJS_SEAM)) {
        report(line, `imports "${spec}": ${pkg.name} knows nothing of tensors`, "tensor-free");
      }
      if (pkg.name !== TFJS_SEAM && /^@tensorflow\/[^/]+\/(?:dist|src)(?:\/|$)/.test(spec)) {
        report(line, `imports "${spec}", a tfjs internal: only ${TFJS_SEAM} may reach inside tfjs`, "tfjs-internals");
      }
      if (!(isTest ? declaredTest : declaredSrc).has(name)) {
        const where = isTest ? "dependencies, peerDependencies or devDependencies" : "dependencies or peerDependencies";
        report(line, `imports "${spec}", but ${name} is not in package.json ${where}`, "declared");
      }
    }
    if (pkg.name !== TFJS_SEAM) {
      for (const m of source.code.matchAll(/\bengine\(\)/g)) report(lineAt(source.code, m.index), `calls engine(), a tfjs internal: only ${TFJS_SEAM} may use the engine (add what you need there)`, "tfjs-internals");
    }
  }
  return problems;
}
