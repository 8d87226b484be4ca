// graphSummary: one row per vertex (NaiveNASlib's `graphsummary`): name, layer, inputs, sizes and
// parameter count, as a plain-text table.
import { trainables } from "@fluxion/optimisers";
import { repr, underscorise } from "@fluxion/nn";
import { featureSizes, type CompGraph } from "./comp-graph.js";

/** The summary table of `graph`, ending with the total parameter count. */
export function graphSummary(graph: CompGraph): string {
  const sizes = featureSizes(graph);
  const header = ["vertex", "layer", "inputs", "nin", "nout", "parameters"];
  const rows = graph.spec.vertices.map((v) => {
    const layer = graph.layers[v.name];
    const what = v.op === "layer" ? repr(layer) : v.op === "input" ? `input [${v.shape!.join(", ")}]` : v.op;
    const params = layer === undefined ? 0 : trainables(layer).reduce((s, t) => s + t.size, 0);
    return [v.name, what, v.inputs.join(", "), v.inputs.map((i) => sizes.get(i)).join(", "), String(sizes.get(v.name)), underscorise(params)];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string => r.map((x, c) => (c >= 3 ? x.padStart(widths[c]!) : x.padEnd(widths[c]!))).join("  ").trimEnd();
  const total = trainables(graph).reduce((s, t) => s + t.size, 0);
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), `Total: ${underscorise(total)} parameters`].join("\n");
}
