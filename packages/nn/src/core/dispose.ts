import { tf } from "@fluxion/backend";
import { fleaves } from "@fluxion/functors";

/** Disposes every tensor (parameters, running statistics) in a model, each once. */
export function dispose(model: unknown): void {
  for (const t of new Set(fleaves(model))) if (t instanceof tf.Tensor) t.dispose();
}
