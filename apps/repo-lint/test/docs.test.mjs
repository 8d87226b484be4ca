import { afterAll, describe, expect, test } from "@jest/globals";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const typedoc = join(repoRoot, "node_modules/typedoc/bin/typedoc");
const temps = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "docs-"));
  temps.push(dir);
  return dir;
}

/** Runs a command to its end: its exit code and its output, colours off. */
function run(file, args, cwd) {
  return new Promise((resolve) => {
    const env = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
    execFile(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

/**
 * A copy of functors (the package that imports nothing) in a fake workspace beside the real
 * root's typedoc.json, where `plant` may add a source file exported from the index.
 */
function functorsCopy(plant) {
  const root = tempDir();
  cpSync(join(repoRoot, "packages/functors"), join(root, "packages/functors"), {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|dist|test)$/.test(src),
  });
  cpSync(join(repoRoot, "tsconfig.base.json"), join(root, "tsconfig.base.json"));
  symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"), "dir");
  if (plant) {
    writeFileSync(join(root, "packages/functors/src/planted.ts"), plant);
    const index = join(root, "packages/functors/src/index.ts");
    writeFileSync(index, `${readFileSync(index, "utf8")}export { planted } from "./planted.js";\n`);
  }
  return root;
}

/** typedoc with the repository's options on the copy, validating only (no site written). */
const checkCopy = (root) =>
  run(process.execPath, [typedoc, "--options", join(repoRoot, "typedoc.json"), "--entryPoints", "packages/functors", "--emit", "none"], root);

describe("pnpm docs", () => {
  test("builds the API reference of every published package, with no warning", async () => {
    // `pnpm docs` is `tsc -b packages/fluxion && typedoc`; here into a temp dir, not docs/api.
    const out = tempDir();
    const { code, output } = await run("pnpm", ["run", "--silent", "docs", "--out", out], repoRoot);
    expect({ code, warnings: output.split("\n").filter((l) => /warning|error/i.test(l)) }).toEqual({ code: 0, warnings: [] });
    for (const page of ["_fluxion_backend", "_fluxion_functors", "_fluxion_optimisers", "_fluxion_nn", "_fluxion_train", "_fluxion_evolve", "fluxion"]) {
      expect(existsSync(join(out, "modules", `${page}.html`))).toBe(true);
    }
    expect(readFileSync(join(out, "functions/_fluxion_nn.relu.html"), "utf8")).toContain("max(x, 0)");
  }, 600_000); // ~20 s alone; minutes beside the other packages' tests on 2 cores

  test("a copy of a package passes as it is, and fails once it exports an undocumented function", async () => {
    const clean = await checkCopy(functorsCopy());
    expect(clean).toEqual({ code: 0, output: expect.not.stringContaining("warning") });

    const planted = await checkCopy(functorsCopy("export function planted(): number {\n  return 1;\n}\n"));
    expect(planted.code).not.toBe(0);
    expect(planted.output).toContain("planted (CallSignature), defined in @fluxion/functors/src/planted.ts, does not have any documentation");
  }, 300_000);
});
