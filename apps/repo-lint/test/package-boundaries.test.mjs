import { afterAll, describe, expect, test } from "@jest/globals";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkPackage, readWorkspace } from "../../../scripts/package-boundaries.mjs";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const temps = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "../fixtures");

/**
 * Copies the clean fake workspace (fixtures/workspace: backend < functors < optimisers < nn, and
 * an app) into a temp dir, with fixtures/violations/<name> laid over it; returns each package's problems.
 */
function check(violation) {
  const root = mkdtempSync(join(tmpdir(), "boundaries-"));
  temps.push(root);
  cpSync(join(fixtures, "workspace"), root, { recursive: true });
  if (violation) cpSync(join(fixtures, "violations", violation), root, { recursive: true });
  const workspace = readWorkspace(root);
  return Object.fromEntries(workspace.packages.map((p) => [p.name, checkPackage(p.dir, workspace)]));
}

describe("package boundaries", () => {
  test("the clean fake workspace passes", () => {
    expect(check()).toEqual({ "@fluxion/backend": [], "@fluxion/functors": [], "@fluxion/optimisers": [], "@fluxion/nn": [], "@fluxion/demo": [] });
  });

  test("(a) functors importing optimisers, a package above it", () => {
    const problems = check("a-functors-imports-optimisers")["@fluxion/functors"];
    expect(problems).toContain(
      'src/adam.ts:2: imports "@fluxion/optimisers": @fluxion/optimisers is not below @fluxion/functors in the layer order (backend < functors < optimisers < nn < train < evolve < fluxion) [layers]',
    );
    expect(problems).toContain('src/adam.ts:2: imports "@fluxion/optimisers", but @fluxion/optimisers is not in package.json dependencies or peerDependencies [declared]');
  });

  test("functors importing backend or tfjs in its source (its tests may)", () => {
    const problems = check("functors-imports-tensors")["@fluxion/functors"];
    expect(problems.filter((p) => p.endsWith("[tensor-free]"))).toEqual([
      'src/tf.ts:1: imports "@fluxion/backend": @fluxion/functors knows nothing of tensors [tensor-free]',
      'src/tf.ts:2: imports "@tensorflow/tfjs-core": @fluxion/functors knows nothing of tensors [tensor-free]',
    ]);
  });

  test("(b) nn deep-importing a tfjs internal", () => {
    const problems = check("b-nn-deep-imports-tfjs")["@fluxion/nn"];
    expect(problems).toEqual(['src/engine.ts:1: imports "@tensorflow/tfjs-core/dist/engine", a tfjs internal: only @fluxion/backend may reach inside tfjs [tfjs-internals]']);
  });

  test("(c) nn calling tf.engine(), in code but not in a comment", () => {
    const problems = check("c-nn-calls-engine")["@fluxion/nn"];
    expect(problems).toEqual(["src/tape.ts:3: calls engine(), a tfjs internal: only @fluxion/backend may use the engine (add what you need there) [tfjs-internals]"]);
  });

  test("(d) undeclared imports: a registry package, a devDependency in source, a missing #import", () => {
    const problems = check("d-undeclared-imports")["@fluxion/nn"];
    expect(problems).toEqual([
      'src/pad.ts:1: imports "left-pad/index.js", but left-pad is not in package.json dependencies or peerDependencies [declared]',
      'src/pad.ts:2: imports "@tensorflow/tfjs-layers", but @tensorflow/tfjs-layers is not in package.json dependencies or peerDependencies [declared]',
      'src/pad.ts:3: imports "#missing", which is not in package.json "imports" [declared]',
      'test/pad.test.ts:1: imports "fast-check", but fast-check is not in package.json dependencies, peerDependencies or devDependencies [declared]',
    ]);
  });

  test("a package may not import an app, nor a package outside the layer order", () => {
    const problems = check("package-imports-app");
    expect(problems["@fluxion/optimisers"]).toEqual(['src/demo.ts:1: imports "@fluxion/demo": @fluxion/demo is an app; packages import only packages below them (backend < functors < optimisers < nn < train < evolve < fluxion) [layers]']);
    expect(problems["@fluxion/extras"]).toEqual([
      'src/index.ts:1: imports "@fluxion/backend": @fluxion/extras is not in the layer order (backend < functors < optimisers < nn < train < evolve < fluxion): add it to LAYERS in scripts/package-boundaries.mjs [layers]',
    ]);
  });

  test("the real repository passes", () => {
    const workspace = readWorkspace(repoRoot);
    expect(workspace.packages.map((p) => p.name)).toEqual(expect.arrayContaining(["@fluxion/backend", "@fluxion/functors", "@fluxion/nn", "fluxion", "@fluxion/playground"]));
    const found = workspace.packages.flatMap((p) => checkPackage(p.dir, workspace).map((problem) => `${p.name}: ${problem}`));
    expect(found).toEqual([]);
  });
});
