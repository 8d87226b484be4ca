// The Vite settings every fluxion browser page shares: workspace packages resolve to their
// TypeScript source (the private "@fluxion/source" condition), as they do in jest; with
// FLUXION_VITE_FROM=dist they resolve as published packages do, to their built dist/.
// Plain JS: Vite loads config files' node_modules imports with Node, which cannot run .ts.
import { defaultClientConditions } from "vite";

/** @param {string} root @param {import("vite").UserConfig} [extra] @returns {import("vite").UserConfig} */
export function fluxionViteConfig(root, extra = {}) {
  const fromDist = process.env.FLUXION_VITE_FROM === "dist";
  return {
    root,
    base: "./",
    logLevel: "warn",
    ...extra,
    resolve: { conditions: [...(fromDist ? [] : ["@fluxion/source"]), ...defaultClientConditions], ...extra.resolve },
    build: { target: "es2022", chunkSizeWarningLimit: 4096, sourcemap: true, ...extra.build },
  };
}
