// Runs jest for the package in the current directory, writing jest-results.json beside it, and
// prints the "N passed, N failed" line the CI reads. Extra arguments go to jest.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const jestBin = require.resolve("jest/bin/jest");
const args = [jestBin, "--json", "--outputFile=jest-results.json", ...process.argv.slice(2)];
const run = spawnSync(process.execPath, args, { stdio: "inherit" });
let summary = "";
try {
  const r = JSON.parse(readFileSync("jest-results.json", "utf8"));
  summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed`;
} catch {
  summary = "jest wrote no results";
}
console.log(summary);
process.exit(run.status ?? 1);
