// Where fluxion's gradients and kernels are registered. tfjs keeps one gradient per kernel, and one
// kernel per kernel name and backend, in global registries that it reads at each op; tfjs-layers,
// when imported, writes its own copies of tfjs's stock gradients (BatchMatMul's and Tanh's among
// them) into the gradient registry. So fluxion puts its gradients and kernels in place for the
// length of each of its own gradient calls (registry-scope.ts) and puts back whatever was there
// after: its speed and exactness do not depend on whether or in which order tfjs-layers is
// imported, and code outside those calls (tf.grad, tf.train's minimize, tfjs-layers' fit and
// trainOnBatch) runs the registries' entries, unchanged.
import * as tf from "@tensorflow/tfjs-core";
import { fastGradients } from "./fast-gradients.js";
import { fastKernels } from "./fast-kernels.js";
import { registryScope, type Registry } from "./registry-scope.js";
import { SECOND_ORDER_GRADIENTS } from "./second-order-gradients.js";

const GRADIENTS: Registry<tf.GradConfig> = {
  get: (c) => tf.getGradient(c.kernelName),
  put: (c) => tf.registerGradient(c),
  remove: (c) => tf.unregisterGradient(c.kernelName),
};

const KERNELS: Registry<tf.KernelConfig> = {
  get: (c) => tf.getKernel(c.kernelName, c.backendName),
  // tfjs warns when a kernel is registered over another: take the old one out first.
  put: (c) => {
    if (tf.getKernel(c.kernelName, c.backendName)) tf.unregisterKernel(c.kernelName, c.backendName);
    tf.registerKernel(c);
  },
  remove: (c) => tf.unregisterKernel(c.kernelName, c.backendName),
};

/** The gradient a fluxion gradient displaced during the current call (tfjs's stock one, or tfjs-layers' copy). */
function displacedGradient(kernelName: string): tf.GradConfig {
  const found = gradients.displaced((c) => c.kernelName === kernelName);
  if (!found) throw new Error(`fluxion: no tfjs gradient is registered for ${kernelName} (is @tensorflow/tfjs-core's register_all_gradients bundled?)`);
  return found;
}

const OWN_GRADIENTS: readonly tf.GradConfig[] = [...SECOND_ORDER_GRADIENTS, ...fastGradients(displacedGradient)];
const gradients = registryScope(GRADIENTS, () => OWN_GRADIENTS);
const kernels = registryScope(KERNELS, () => fastKernels(tf.getBackend()));

/** True inside a `withFluxionGradients` call (fluxion's gradients are the registered ones). */
export function withinFluxionGradients(): boolean {
  return gradients.active();
}

/**
 * Runs `f` (synchronous) with fluxion's kernels registered for the active backend (fast-kernels.ts:
 * the matrix product on cpu and wasm), for forward passes outside gradient calls. Nested calls share the
 * outermost registration, which is undone when it returns or throws; tfjs's stock kernels run outside.
 */
export function withFluxionKernels<T>(f: () => T): T {
  return kernels.run(f);
}

/**
 * Runs `f` (synchronous) with fluxion's gradients registered, the second-order-exact ones and the
 * fast ones, and its kernels (as `withFluxionKernels`). Nested calls share the outermost
 * registration, which is undone when it returns or throws.
 */
export function withFluxionGradients<T>(f: () => T): T {
  return kernels.run(() => gradients.run(f));
}
