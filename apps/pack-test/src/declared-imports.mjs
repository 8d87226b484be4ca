// Loader hooks (node --import ./check-declared.mjs): a fluxion package that imports a module its
// package.json does not declare fails, even when npm has hoisted that module where it resolves.
import { readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { fileURLToPath } from "node:url";

const manifests = new Map();

// The installed fluxion package a file belongs to: the last node_modules/<name>/ in its path.
function owner(parentURL) {
  if (!parentURL?.startsWith("file:")) return null;
  const m = /^(.*\/node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(fileURLToPath(parentURL));
  if (!m || !(m[2] === "fluxion" || m[2].startsWith("@fluxion/"))) return null;
  if (!manifests.has(m[1])) manifests.set(m[1], JSON.parse(readFileSync(`${m[1]}/package.json`, "utf8")));
  return manifests.get(m[1]);
}

export async function resolve(specifier, context, nextResolve) {
  const pkg = owner(context.parentURL);
  const bare = !/^(\.|\/|#|[a-z]+:)/.test(specifier) && !isBuiltin(specifier);
  if (pkg && bare) {
    const name = specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
    const declared = [pkg.name, ...Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies })];
    if (!declared.includes(name)) {
      throw new Error(`${pkg.name} imports "${specifier}" (in ${fileURLToPath(context.parentURL)}), which its package.json does not declare`);
    }
  }
  return nextResolve(specifier, context);
}
