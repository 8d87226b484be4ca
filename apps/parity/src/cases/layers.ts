// Layer cases: being written.
import type { ParityCase } from "../case.js";

export const layerCases: ParityCase[] = [];
