// Module hooks for running TypeScript sources: workspace packages resolve to their sources
// (the "@fluxion/source" export condition), "./x.js" finds "./x.ts", and .ts files are compiled
// by @swc/core (the compiler the jest preset uses).
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import swc from "@swc/core";

export async function resolve(specifier, context, next) {
  const ctx = { ...context, conditions: [...new Set([...context.conditions, "@fluxion/source"])] };
  try {
    return await next(specifier, ctx);
  } catch (err) {
    const relative = specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("file:");
    if (relative && specifier.endsWith(".js")) return next(`${specifier.slice(0, -3)}.ts`, ctx);
    throw err;
  }
}

export async function load(url, context, next) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return next(url, context);
  const source = await readFile(fileURLToPath(url), "utf8");
  const { code } = await swc.transform(source, {
    filename: fileURLToPath(url),
    jsc: { target: "es2022", parser: { syntax: "typescript" } },
    module: { type: "es6" },
    sourceMaps: "inline",
  });
  return { format: "module", source: code, shortCircuit: true };
}
