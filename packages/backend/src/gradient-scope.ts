// Where fluxion's gradients are registered. tfjs keeps one gradient per kernel in a global registry
// that it reads while the forward pass is recorded; tfjs-layers, when imported, writes its own
// copies of tfjs's stock gradients (BatchMatMul's and Tanh's among them) into the same registry. So
// fluxion puts its gradients in place for the length of each of its own gradient calls and puts
// back whatever was there after: its speed and exactness do not depend on whether or in which order
// tfjs-layers is imported, and code outside those calls (tf.grad, tf.train's minimize,
// tfjs-layers' fit and trainOnBatch) runs the registry's gradients, unchanged.
import * as tf from "@tensorflow/tfjs-core";
import { fastGradients } from "./fast-gradients.js";
import { SECOND_ORDER_GRADIENTS } from "./second-order-gradients.js";

let depth = 0;
let displaced: (tf.GradConfig | undefined)[] = [];

/** The gradient a fluxion gradient displaced during the current call (tfjs's stock one, or tfjs-layers' copy). */
function displacedGradient(kernelName: string): tf.GradConfig {
  const found = displaced[OWN.findIndex((c) => c.kernelName === kernelName)];
  if (!found) throw new Error(`fluxion: no tfjs gradient is registered for ${kernelName} (is @tensorflow/tfjs-core's register_all_gradients bundled?)`);
  return found;
}

const OWN: readonly tf.GradConfig[] = [...SECOND_ORDER_GRADIENTS, ...fastGradients(displacedGradient)];

/** True inside a `withFluxionGradients` call (fluxion's gradients are the registered ones). */
export function withinFluxionGradients(): boolean {
  return depth > 0;
}

/**
 * Runs `f` (synchronous) with fluxion's gradients registered: the second-order-exact ones and the
 * fast ones. Nested calls share the outermost registration, which is undone when it returns or throws.
 */
export function withFluxionGradients<T>(f: () => T): T {
  if (depth === 0) {
    displaced = OWN.map((c) => tf.getGradient(c.kernelName));
    for (const c of OWN) tf.registerGradient(c);
  }
  depth += 1;
  try {
    return f();
  } finally {
    depth -= 1;
    if (depth === 0) {
      OWN.forEach((c, i) => (displaced[i] ? tf.registerGradient(displaced[i]!) : tf.unregisterGradient(c.kernelName)));
      displaced = [];
    }
  }
}
