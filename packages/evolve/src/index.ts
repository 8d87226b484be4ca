// @fluxion/evolve: graph models that mutate while keeping their weights, and the utilities of an
// architecture search (NaiveNASlib / NaiveNASflux / NaiveGAflux).

// Utilities
export { WrappedRule, ShieldedOpt, ImplicitOpt } from "./utils/wrapped-rules.js";
export { AutoOptimiser, autoOptimiser, updateParamsSafe, NO_OPTIMISER_STATE } from "./utils/auto-optimiser.js";
export type { GradFun } from "./utils/auto-optimiser.js";
export { optimiserSetup, clearOptimiserState, checkImplicitOptimiser, InconsistentAutoOptimiserError, implicitTrainStep, autoOptimisers } from "./utils/implicit.js";
export type { ImplicitLoss } from "./utils/implicit.js";
export { PersistentArray, persist } from "./utils/persistent-array.js";
export type { PersistentArrayOptions } from "./utils/persistent-array.js";
export { jsonCodec } from "./utils/codec.js";
export type { Codec } from "./utils/codec.js";
