// Rule interface and helpers
export { Rule, defineRule } from "./rule.js";
export type { DefinedRule, DefineRuleOptions, RuleFields, RuleValues } from "./rule.js";
export { anyNumber, finite, nonNegative, nonNegativeOrInfinity, positive, unitInterval, wholeAtLeast, wholeNumber } from "./domains.js";
export type { Domain } from "./domains.js";
export type { Schedule, ScheduleSpec, Hyper } from "./schedule.js";
export { constant, exponentialDecay, stepDecay, cosineDecay, linearWarmup, joinSchedules, warmupCosineDecay, scheduleFromSpec } from "./schedules.js";
export type { ExponentialDecayOptions, StepDecayOptions, CosineDecayOptions, LinearWarmupOptions, WarmupCosineDecayOptions } from "./schedules.js";

// Rules
export { Descent } from "./rules/descent.js";
export { Momentum } from "./rules/momentum.js";
export { Adam } from "./rules/adam.js";
export type { AdamState } from "./rules/adam.js";
export { Nesterov } from "./rules/nesterov.js";
export { Rprop } from "./rules/rprop.js";
export type { RpropState } from "./rules/rprop.js";
export { RMSProp } from "./rules/rms-prop.js";
export type { RMSPropState, RMSPropOptions } from "./rules/rms-prop.js";
export { RAdam } from "./rules/r-adam.js";
export type { RAdamState } from "./rules/r-adam.js";
export { AdaMax } from "./rules/ada-max.js";
export type { AdaMaxState } from "./rules/ada-max.js";
export { OAdam } from "./rules/o-adam.js";
export type { OAdamState } from "./rules/o-adam.js";
export { NAdam } from "./rules/n-adam.js";
export type { NAdamState } from "./rules/n-adam.js";
export { AdamW } from "./rules/adam-w.js";
export type { AdamWState } from "./rules/adam-w.js";
export { AMSGrad } from "./rules/ams-grad.js";
export type { AMSGradState } from "./rules/ams-grad.js";
export { AdaBelief } from "./rules/ada-belief.js";
export type { AdaBeliefState } from "./rules/ada-belief.js";
export { AdaGrad } from "./rules/ada-grad.js";
export { AdaDelta } from "./rules/ada-delta.js";
export type { AdaDeltaState } from "./rules/ada-delta.js";
export { Lion } from "./rules/lion.js";
export { WeightDecay } from "./rules/weight-decay.js";
export { SignDecay } from "./rules/sign-decay.js";
export { ClipGrad, ClipValue } from "./rules/clip-grad.js";
export { ClipNorm } from "./rules/clip-norm.js";
export { ExpDecay } from "./rules/exp-decay.js";
export type { ExpDecayState } from "./rules/exp-decay.js";
export { InvDecay } from "./rules/inv-decay.js";
export { OptimiserChain, Optimiser } from "./rules/optimiser-chain.js";
export { AccumGrad } from "./rules/accum-grad.js";
export type { AccumGradState } from "./rules/accum-grad.js";

// State trees
export { Leaf, NO_STATE } from "./leaf.js";
export type { StateTree } from "./leaf.js";
export { setup } from "./setup.js";
export { update, updateInPlace } from "./update.js";
export { adjust, adjustInPlace } from "./adjust.js";
export type { Adjustment } from "./adjust.js";
export { freeze, thaw } from "./freeze.js";

// Parameters
export { destructure } from "./destructure.js";
export type { Restructure } from "./destructure.js";
export { trainable, trainables, registerTrainable, isNumeric, mayWrite } from "./trainable.js";

// Saving and loading state
export { saveState, loadState, STATE_FORMAT, STATE_VERSION, STATE_MAGIC } from "./serialise.js";
export { saveStateFile, loadStateFile } from "./state-file.js";
export { registerRule } from "./rule-registry.js";
export type { RuleClass } from "./rule-registry.js";
