// The batches of one generation: drawn from the generation's "data" generator, never from the
// candidate, so every candidate of a generation trains on exactly the same batches.
import type { Rng } from "@fluxion/nn";

/**
 * `steps` batches of row indices into `n` examples: the rows in a random order (a new one each
 * pass over the data), cut into consecutive batches of `batchSize`; rows left at the end of a pass
 * that do not fill a batch are skipped (drop-last). A batch size above `n` takes all `n` rows.
 */
export function generationBatches(rng: Rng, n: number, batchSize: number, steps: number): number[][] {
  const size = Math.min(batchSize, n);
  const batches: number[][] = [];
  let order: number[] = [];
  while (batches.length < steps) {
    if (order.length < size) order = rng.permutation(n);
    batches.push(order.slice(0, size));
    order = order.slice(size);
  }
  return batches;
}
