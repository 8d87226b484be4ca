import { tf } from "@fluxion/backend";
import { fmapStructure } from "@fluxion/functors";
import { Leaf, NO_STATE, type StateTree } from "./leaf.js";
import { Rule } from "./rule.js";
import { checkTrainable, trainableWalk } from "./trainable.js";

/**
 * The optimiser state tree for `model`: it mirrors the model's trainable structure (registered
 * classes become plain objects keyed by field), with a `Leaf` at each trainable tensor and `[]`
 * elsewhere. A tensor reached twice gets the same Leaf (fmap's cache). Warns when nothing is trainable.
 */
export function setup(rule: Rule, model: unknown): StateTree {
  if (!(rule instanceof Rule)) throw new Error(`setup(rule, model): the first argument must be a rule, got ${String(rule)}`);
  let found = 0;
  const leafFor = (x: unknown): Leaf | typeof NO_STATE => {
    if (!checkTrainable(x, null, "setup")) return NO_STATE;
    if (x.isDisposed) throw new Error("setup: the model has a disposed tensor");
    found += 1;
    return new Leaf(rule, tf.tidy(() => rule.at(0).init(x) as tf.TensorContainer));
  };
  const tree = fmapStructure({ walk: trainableWalk({ structural: true, skip: () => NO_STATE }) }, leafFor, model);
  if (found === 0) console.warn("setup found no trainable parameters in this model");
  return tree as StateTree;
}
