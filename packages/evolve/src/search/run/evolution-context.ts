// The context an Evolution makes a generation with: the run's generators and `child`, which
// numbers new candidates from the run's counter (saved in the checkpoint, so ids survive a resume).
import { copyCandidate } from "../candidate.js";
import type { Candidate, EvolutionContext, Seeds } from "../interfaces.js";

/** An EvolutionContext for `generation`, and the children it made (to free those not kept). */
export function evolutionContext(generation: number, seeds: Seeds, firstId: number): { ctx: EvolutionContext; made: Candidate[]; nextId(): number } {
  let next = firstId;
  const made: Candidate[] = [];
  const ctx: EvolutionContext = {
    generation,
    seeds,
    child(parent, operations = []) {
      const c = copyCandidate(parent, next, generation, operations);
      next += 1;
      made.push(c);
      return c;
    },
  };
  return { ctx, made, nextId: () => next };
}
