// Sums the jest JSON results every package's test run wrote and prints "N passed, N failed".
// Exits 1 if any test failed, any suite failed to run, or a package with tests wrote no results.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

let passed = 0, failed = 0, broken = [];
for (const group of ["packages", "apps"]) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const dir = join(group, name);
    const pkgFile = join(dir, "package.json");
    if (!existsSync(pkgFile) || !JSON.parse(readFileSync(pkgFile, "utf8")).scripts?.test) continue;
    const file = join(dir, "jest-results.json");
    if (!existsSync(file)) { broken.push(`${dir}: no test results`); continue; }
    const r = JSON.parse(readFileSync(file, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    if (r.numRuntimeErrorTestSuites > 0) broken.push(`${dir}: ${r.numRuntimeErrorTestSuites} suite(s) failed to run`);
  }
}
for (const b of broken) console.log(b);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || broken.length > 0 ? 1 : 0);
