// Which stock kernels a piece of code reaches inside fluxion's calls: kernels that count their calls are
// registered over the stock ones (fluxion displaces whatever is registered), then the stock ones put back.
import { tf } from "@fluxion/backend";
import { withFluxionKernels } from "@fluxion/backend/internal";

/** Runs `f` in fluxion's kernels with counting kernels registered over the stock ones; the calls they saw. */
export function counting<T>(names: string[], f: () => T): { result: T; calls: string[] } {
  const backend = tf.getBackend();
  const calls: string[] = [];
  const stock = names.map((n) => tf.getKernel(n, backend)!);
  for (const k of stock) {
    tf.unregisterKernel(k.kernelName, backend);
    tf.registerKernel({ ...k, kernelFunc: (args) => (calls.push(k.kernelName), k.kernelFunc(args)) });
  }
  try {
    return { result: withFluxionKernels(f), calls };
  } finally {
    for (const k of stock) {
      tf.unregisterKernel(k.kernelName, backend);
      tf.registerKernel(k);
    }
  }
}

