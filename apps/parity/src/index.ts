export { runCases } from "./case.js";
export type { CaseResult, Group, Output, Outputs, ParityCase, Values } from "./case.js";
export { compareResults, compareValues, stockMismatches, TOLERANCE } from "./compare.js";
export type { Mismatch } from "./compare.js";
export { ALL_CASES } from "./cases/index.js";
