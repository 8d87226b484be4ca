import type { ParityCase } from "../case.js";
import { destructureCases } from "./destructure.js";
import { gradientCases } from "./gradients.js";
import { layerCases } from "./layers.js";
import { lossCases } from "./losses.js";
import { optimiserCases } from "./optimisers.js";

/** The whole parity suite, in a fixed order. */
export const ALL_CASES: ParityCase[] = [...optimiserCases, ...layerCases, ...lossCases, ...destructureCases, ...gradientCases];
