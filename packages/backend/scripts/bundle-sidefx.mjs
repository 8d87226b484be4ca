// Node cannot load tfjs-core's ESM side-effect files (extensionless imports), and its CJS entry
// registers no gradients or chained ops. Bundle those registrations once into a CJS file.
// tfjs keeps its registries and Tensor class on globalThis, so the bundle registers into the
// same engine as the @tensorflow/tfjs-core package the rest of the code imports, provided that
// package is loaded first (the banner below sees to it).
import { build } from "esbuild";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
mkdirSync(join(root, "generated"), { recursive: true });
const out = join(root, "generated", "tfjs-sidefx.cjs");
const result = await build({
  stdin: {
    contents: [
      "import '@tensorflow/tfjs-core/dist/register_all_gradients';",
      "import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';",
    ].join("\n"),
    resolveDir: root,
    sourcefile: "tfjs-sidefx.js",
  },
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  write: false,
  outfile: out,
  // Load the real tfjs-core first, so the global engine and Tensor class are its own: the
  // copies bundled here lack the op handler (e.g. Tensor.clone) that tfjs-core installs.
  banner: { js: 'require("@tensorflow/tfjs-core");' },
  logLevel: "warning",
});
// Written only when it changed, and by rename: test runs may be loading it while a build reruns.
const text = result.outputFiles[0].text;
if (!existsSync(out) || readFileSync(out, "utf8") !== text) {
  writeFileSync(`${out}.tmp-${process.pid}`, text);
  renameSync(`${out}.tmp-${process.pid}`, out);
}
