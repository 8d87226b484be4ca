// `@fluxion/backend/internal`: what fluxion's own packages share below the optimisers (the seam
// to tfjs's engine, atomic files, Julia-style printing). Not user API: it may change in any release.
export { isTaping, activeTape, detach, valueAndGradients, hasTrustedKernels, recordSeparately } from "./engine.js";
export type { ValueAndGradients, SeparateTape } from "./engine.js";
export { writeFileAtomic, readFileBytes, fileProblem, nodeFs, errorCode } from "./files.js";
export type { FileContext } from "./files.js";
export { juliaFloat, float32String, tensorString, juliaValue } from "./format.js";
export { setFusedKernels, fusedKernelsOn, rewriteProblem, rewriteFloat32, float32Heap } from "./buffers.js";
export { firstNonFinite } from "./finite-scan.js";
export { withFluxionKernels } from "./gradient-scope.js";
export { fluxionKernelFor } from "./fast-kernels.js";
export { setSimdGemm } from "./gemm.js";
