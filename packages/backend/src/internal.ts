// `@fluxion/backend/internal`: what fluxion's own packages share below the optimisers (atomic
// files, Julia-style printing). Not user API: it may change in any release.
export { writeFileAtomic, readFileBytes, fileProblem } from "./files.js";
export type { FileContext } from "./files.js";
export { juliaFloat, float32String, tensorString, juliaValue } from "./format.js";
