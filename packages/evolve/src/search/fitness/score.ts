// Fitness numbers: the measured quality rounded, plus a size tie-breaker too small to outweigh
// one rounding step (NaiveGAflux's AccuracyVsSize: round(accuracy, 2) + min(1e-3, 1/params)).

/**
 * The fitness of a failed evaluation (non-finite loss or weights, an error). Every successful
 * fitness is above it: qualities are ≥ 0 and the size term is > 0. Zero rather than -Infinity
 * keeps fitness non-negative (stochastic universal sampling needs that) and JSON-safe.
 */
export const WORST_FITNESS = 0;

/** `x` rounded to `digits` decimals. */
export function roundTo(x: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(x * scale) / scale;
}

/**
 * `round(quality, digits) + min(10^-(digits+1), 1/params)`: quality in [0, 1] decides; among
 * qualities equal after rounding, the smaller model wins. The size term is at most a tenth of a
 * rounding step, so it never outweighs a real difference in quality.
 */
export function qualityVsSize(quality: number, params: number, digits: number): number {
  const cap = 10 ** -(digits + 1);
  return roundTo(quality, digits) + Math.min(cap, 1 / Math.max(1, params));
}

/** Classification: validation accuracy to 2 decimals, fewer parameters breaking ties (NaiveGAflux's AccuracyVsSize). */
export function accuracyFitness(accuracy: number, params: number): number {
  return qualityVsSize(accuracy, params, 2);
}

/**
 * Regression: `1 / (1 + MAE)` to 3 decimals, fewer parameters breaking ties. The map is
 * monotone (a lower validation error is always fitter), lies in (0, 1] like an accuracy, so
 * selection schemes that need non-negative fitness work, and needs no scale of the target.
 */
export function maeFitness(mae: number, params: number): number {
  return qualityVsSize(1 / (1 + mae), params, 3);
}

/**
 * Classification with the validation loss as the tie-breaker: `round(accuracy, 2) + 9e-4 / (1 +
 * loss) + min(1e-5, 1/params)`. Among accuracies equal after rounding (on a few dozen validation
 * examples most candidates tie), the model surer of the right labels (lower cross-entropy) wins;
 * size breaks the ties left. Both terms together stay below a tenth of a rounding step.
 */
export function accuracyLossFitness(accuracy: number, loss: number, params: number): number {
  return roundTo(accuracy, 2) + 9e-4 / (1 + Math.max(0, loss)) + Math.min(1e-5, 1 / Math.max(1, params));
}
