// Project lint for one package (run in its folder): the public surface is one src/index.ts of
// named exports, source files are kebab-case, library code uses functional tfjs ops (chained
// ops need side-effect registration), the package has a README, and it keeps to the package
// boundaries (package-boundaries.mjs).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { checkPackage, readWorkspace } from "./package-boundaries.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const problems = checkPackage(".", readWorkspace(root));
const src = "src";
const walk = (dir) =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });

const published = !JSON.parse(readFileSync("package.json", "utf8")).private;
if (!existsSync("README.md")) problems.push("README.md is missing");
if (existsSync(src)) {
  const index = join(src, "index.ts");
  if (published && !existsSync(index)) problems.push("src/index.ts is missing (a package's public surface)");
  else if (published && /export \* from/.test(readFileSync(index, "utf8"))) problems.push("src/index.ts: use named exports, not `export *`");
  for (const file of walk(src).filter((f) => f.endsWith(".ts"))) {
    const name = relative(src, file);
    if (!/^[a-z0-9-/.]+$/.test(name)) problems.push(`${name}: file names are kebab-case`);
    if (file.endsWith(".test.ts")) continue;
    const text = readFileSync(file, "utf8");
    // e.g. `x.mul(` on a tensor: library code calls tf.mul(x, ...) instead.
    const chained = text.match(/\b(?:grad|dx|x|w|t|m|v)\.(?:add|sub|mul|div|square|sqrt|sum|mean|neg|abs|sign)\(/g);
    if (chained) problems.push(`${name}: chained tensor op ${chained[0]} (use the functional tf.* form)`);
  }
}
if (problems.length) {
  console.error(problems.map((p) => `lint: ${p}`).join("\n"));
  process.exit(1);
}
console.log("lint: ok");
