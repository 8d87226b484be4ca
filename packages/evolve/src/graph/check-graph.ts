// checkGraph: the invariants every operation keeps (the reference notes' list, after NaiveNASlib):
// edge and trait consistency, no size cycle, and a forward pass that gives the declared shapes.
import { tf } from "@fluxion/backend";
import { vertexShapes, type CompGraph } from "./comp-graph.js";
import { Draft } from "./draft.js";

/**
 * Throws an Error listing what is wrong, or returns each vertex's output shape (batch first).
 * Checks: every layer takes its input's size; add inputs agree and concat sizes add up; the sizes
 * align (no size cycle); and running the graph on a batch of 2 zeros gives those shapes.
 */
export function checkGraph(graph: CompGraph): Map<string, number[]> {
  const problems: string[] = [];
  let shapes = new Map<string, number[]>();
  try {
    shapes = vertexShapes(graph);
    new Draft(graph, {}).classes();
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (problems.length === 0) {
    try {
      tf.tidy(() => {
      const xs = graph.spec.inputs.map((n) => tf.zeros([2, ...shapes.get(n)!.slice(1)]));
      const ys = [graph.apply(...xs)].flat() as tf.Tensor[];
      graph.spec.outputs.forEach((n, i) => {
        const want = [2, ...shapes.get(n)!.slice(1)];
        if (!tf.util.arraysEqual(ys[i]!.shape, want)) problems.push(`output '${n}' has shape [${ys[i]!.shape.join(", ")}], expected [${want.join(", ")}]`);
      });
      });
    } catch (err) {
      problems.push(`the forward pass fails: ${(err as Error).message}`);
    }
  }
  if (problems.length) throw new Error(`checkGraph: ${problems.join("; ")}`);
  return shapes;
}
