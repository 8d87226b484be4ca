// `tsc --noEmit` of every folder's examples (as .ts files) under one moduleResolution, in one
// program: each example resolves from its own folder's node_modules, and TypeScript reads a package
// found twice at the same version once. Strict checks of the examples and of fluxion's own .d.ts
// files; errors inside other libraries' types (tfjs-core's missing `Long`, @webgpu/types against
// lib.dom) are not ours and are left out.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./run.mjs";

export const RESOLUTIONS = { bundler: "esnext", nodenext: "nodenext", node10: "esnext" };

/** The errors (tsc's lines, paths relative to `root`) in `files` and in fluxion's packages. */
export async function typecheck(root, resolution, files, tsc) {
  const config = {
    compilerOptions: {
      target: "es2022", module: RESOLUTIONS[resolution], moduleResolution: resolution, strict: true, noEmit: true, types: [],
      ignoreDeprecations: "6.0", // node10 is deprecated in TypeScript 6, still used
    },
    files,
  };
  const project = join(root, `tsconfig.${resolution}.json`);
  writeFileSync(project, JSON.stringify(config, null, 2));
  const r = await run(`tsc ${resolution}`, process.execPath, [tsc, "-p", project, "--pretty", "false"], { cwd: root });
  const errors = r.stdout.split("\n").filter((l) => /^\S.*\(\d+,\d+\): error TS/.test(l));
  if (r.code !== 0 && errors.length === 0) throw new Error(`tsc ${resolution} failed:\n${r.stdout}${r.stderr}`);
  return errors.filter((l) => !l.includes("/node_modules/") || /\/node_modules\/(@fluxion\/|fluxion\/)/.test(l));
}

/**
 * node10 (no `exports`, no `imports`) errors that are known, each tolerated only while its cause is
 * in the installed package (issue 17, item 2): a subpath such as `@fluxion/backend/testing` that
 * needs `typesVersions`, and the `#sidefx` import in backend's dist/tf.d.ts. `dir` is the folder.
 */
export function knownNode10Error(dir, error) {
  const subpath = /Cannot find module '((?:@fluxion\/[^/']+|fluxion)\/[^']+)'/.exec(error);
  if (subpath) {
    const pkg = subpath[1].split("/").slice(0, subpath[1].startsWith("@") ? 2 : 1).join("/");
    return !readManifest(dir, pkg).typesVersions && `${pkg} has no typesVersions for ${subpath[1]}`;
  }
  const sidefx = /\/node_modules\/(@fluxion\/backend\/dist\/[^(]+)\(.*'#sidefx'/.exec(error);
  return Boolean(sidefx) && readFileSync(join(dir, "node_modules", sidefx[1]), "utf8").includes("#sidefx") && `${sidefx[1]} imports #sidefx`;
}

const readManifest = (dir, pkg) => JSON.parse(readFileSync(join(dir, "node_modules", pkg, "package.json"), "utf8"));
