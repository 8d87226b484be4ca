// Every rule class defined in src/rules/, so saved state trees can name them. A rule file added
// under src/rules/ must be added here too (the serialise tests check that each is registered).
import type { Rule } from "./rule.js";
import { AccumGrad } from "./rules/accum-grad.js";
import { AdaBelief } from "./rules/ada-belief.js";
import { AdaDelta } from "./rules/ada-delta.js";
import { AdaGrad } from "./rules/ada-grad.js";
import { AdaMax } from "./rules/ada-max.js";
import { AdamW } from "./rules/adam-w.js";
import { Adam } from "./rules/adam.js";
import { AMSGrad } from "./rules/ams-grad.js";
import { ClipGrad } from "./rules/clip-grad.js";
import { ClipNorm } from "./rules/clip-norm.js";
import { Descent } from "./rules/descent.js";
import { ExpDecay } from "./rules/exp-decay.js";
import { InvDecay } from "./rules/inv-decay.js";
import { Lion } from "./rules/lion.js";
import { Momentum } from "./rules/momentum.js";
import { NAdam } from "./rules/n-adam.js";
import { Nesterov } from "./rules/nesterov.js";
import { OAdam } from "./rules/o-adam.js";
import { OptimiserChain } from "./rules/optimiser-chain.js";
import { RAdam } from "./rules/r-adam.js";
import { RMSProp } from "./rules/rms-prop.js";
import { Rprop } from "./rules/rprop.js";
import { SignDecay } from "./rules/sign-decay.js";
import { WeightDecay } from "./rules/weight-decay.js";

/** The built-in rule classes, registered for `loadState` under their `ruleName`. */
export const BUILTIN_RULES: readonly (new (...args: any[]) => Rule)[] = [
  AccumGrad,
  AdaBelief,
  AdaDelta,
  AdaGrad,
  AdaMax,
  AdamW,
  Adam,
  AMSGrad,
  ClipGrad,
  ClipNorm,
  Descent,
  ExpDecay,
  InvDecay,
  Lion,
  Momentum,
  NAdam,
  Nesterov,
  OAdam,
  OptimiserChain,
  RAdam,
  RMSProp,
  Rprop,
  SignDecay,
  WeightDecay,
];
