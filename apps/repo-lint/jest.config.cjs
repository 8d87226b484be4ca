// Plain ESM tests of the repo's scripts: no transform, no backend (jest runs them as native ESM).
module.exports = { rootDir: __dirname, testEnvironment: "node", testMatch: ["<rootDir>/test/**/*.test.mjs"], transform: {} };
