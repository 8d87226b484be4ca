// Plain ESM tests: no transform, no backend (the examples run in child processes, from tarballs).
module.exports = { rootDir: __dirname, testEnvironment: "node", testMatch: ["<rootDir>/test/**/*.test.mjs"], transform: {} };
