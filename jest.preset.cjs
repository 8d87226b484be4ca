/**
 * Shared jest config: TypeScript through @swc/jest, run as CommonJS; workspace packages resolve to
 * their TS source through the private "@fluxion/source" export condition, so no build is needed.
 */
const path = require("node:path");

const base = {
  testEnvironment: "node",
  transform: { "^.+\\.(t|j)sx?$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  // NodeNext sources import "./x.js": map that to the .ts file.
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  testEnvironmentOptions: { customExportConditions: ["@fluxion/source", "node", "node-addons"] },
};

/**
 * One jest project per backend: tests that touch tensors run on cpu and on wasm.
 * `backends: []` gives a single project with no backend set-up (pure packages).
 */
function preset(dir, { backends = ["cpu", "wasm"], testMatch = ["<rootDir>/src/**/*.test.ts", "<rootDir>/test/**/*.test.ts"] } = {}) {
  const only = process.env.FLUXION_BACKEND;
  const chosen = only ? backends.filter((b) => b === only) : backends;
  if (backends.length === 0) return { ...base, rootDir: dir, testMatch };
  return {
    projects: chosen.map((backend) => ({
      ...base,
      rootDir: dir,
      testMatch,
      displayName: backend,
      setupFilesAfterEnv: [path.join(__dirname, "scripts", `jest-setup-${backend}.cjs`)],
    })),
  };
}

module.exports = { preset };
