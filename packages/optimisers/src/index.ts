// Rule interface and helpers
export { Rule, defineRule } from "./rule.js";
export type { DefinedRule, DefineRuleOptions, RuleFields, RuleValues } from "./rule.js";
export type { Schedule, ScheduleSpec, Hyper } from "./schedule.js";

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
