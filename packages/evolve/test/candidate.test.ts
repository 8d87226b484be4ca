import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks, liveTensors, refusal } from "@fluxion/backend/testing";
import { fleaves } from "@fluxion/functors";
import { Adam, Descent, Leaf, Momentum, OptimiserChain, WeightDecay, trainables } from "@fluxion/optimisers";
import { Dense, mse, relu } from "@fluxion/nn";
import { trainStep } from "@fluxion/train";
import { CompGraph, candidateCodec, copyCandidate, disposeCandidate, inputVertex, makeCandidate, vertex, PersistentArray, type Candidate } from "@fluxion/evolve";
import { denseOf, ramp } from "./helpers.js";

function mlp(): CompGraph {
  const x = inputVertex("x", 3);
  const h = vertex("h", denseOf(ramp(3, 4), [0.1, -0.2, 0.3, -0.4], relu), x);
  return new CompGraph(x, vertex("out", denseOf(ramp(4, 2, 0.05), [0.5, -0.5]), h));
}

/** A candidate trained two Adam steps, so its state holds non-trivial moments and a step count. */
function trained(): Candidate {
  const c = makeCandidate({ id: 7, generation: 3, graph: mlp(), rule: new OptimiserChain(new WeightDecay(0.01), new Adam(0.01)), lineage: { parents: [2, 5], operations: ["crossover(h)", "changeNout(h, +1)"] } });
  const [xb, yb] = [tf.tensor2d([[1, 2, 3], [-1, 0.5, 2]]), tf.tensor2d([[1, 0], [0, 1]])];
  for (let i = 0; i < 2; i++) trainStep((m: CompGraph, a: tf.Tensor, b: tf.Tensor) => mse(m.apply(a) as tf.Tensor, b), c.graph, [xb, yb], c.state);
  tf.dispose([xb, yb]);
  return { ...c, fitness: 0.731, metrics: { accuracy: 0.73, params: 26, loss: NaN } };
}

const bits = (ts: tf.Tensor[]): number[][] => ts.map((t) => Array.from(new Uint32Array(new Float32Array(t.dataSync()).buffer)));
const stateTensors = (c: Candidate): tf.Tensor[] => fleaves(c.state).filter((t): t is tf.Tensor => t instanceof tf.Tensor);
const leaves = (c: Candidate): Leaf[] => {
  const out: Leaf[] = [];
  const walk = (x: unknown): void => {
    if (x instanceof Leaf) out.push(x);
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === "object") Object.values(x).forEach(walk);
  };
  walk(c.state);
  return out;
};

describe("candidate codec", () => {
  test("round trip: weights and state bit for bit, rule, step, id, generation, fitness, metrics, lineage", () => {
    const c = trained();
    const bytes = candidateCodec.encode(c);
    const d = assertNoLeaks(() => candidateCodec.decode(bytes), trainables(c.graph).length + stateTensors(c).length);
    expect(bits(trainables(d.graph))).toEqual(bits(trainables(c.graph)));
    expect(bits(stateTensors(d))).toEqual(bits(stateTensors(c)));
    expect(leaves(d).map((l) => l.step)).toEqual([2, 2, 2, 2]);
    expect(d.rule.toString()).toBe(c.rule.toString());
    expect(d.rule).toBeInstanceOf(OptimiserChain);
    expect([d.id, d.generation, d.fitness, d.lineage]).toEqual([7, 3, 0.731, { parents: [2, 5], operations: ["crossover(h)", "changeNout(h, +1)"] }]);
    expect(d.metrics).toEqual({ accuracy: 0.73, params: 26, loss: NaN });
    expect(d.error).toBeUndefined();
    // Training goes on identically from the copy.
    const step = (k: Candidate): number[][] => {
      const [xb, yb] = [tf.tensor2d([[0.3, -2, 1]]), tf.tensor2d([[0.5, 0.5]])];
      trainStep((m: CompGraph, a: tf.Tensor, b: tf.Tensor) => mse(m.apply(a) as tf.Tensor, b), k.graph, [xb, yb], k.state);
      tf.dispose([xb, yb]);
      return bits(trainables(k.graph));
    };
    expect(step(d)).toEqual(step(c));
    disposeCandidate(c);
    disposeCandidate(d);
  });

  test("a candidate whose graph has no trainable parameter keeps its rule; an error is kept", () => {
    const x = inputVertex("x", 3);
    const g = new CompGraph(x, vertex("act", relu, x));
    const c = makeCandidate({ id: 1, generation: 0, graph: g, rule: new Momentum(0.03, 0.8), fitness: 0, error: "the training loss became NaN at step 1" });
    const d = candidateCodec.decode(candidateCodec.encode(c));
    expect(d.rule).toBeInstanceOf(Momentum);
    expect(d.rule.toString()).toBe(new Momentum(0.03, 0.8).toString());
    expect(d.error).toBe("the training loss became NaN at step 1");
    expect(d.fitness).toBe(0);
    disposeCandidate(d);
  });

  test("non-finite weights (a diverged candidate) round trip and copy", () => {
    const x = inputVertex("x", 2);
    const c = makeCandidate({ id: 0, generation: 0, graph: new CompGraph(x, vertex("d", denseOf([[NaN, 1], [Infinity, 0]], [0, 0]), x)), rule: new Descent(0.1) });
    const d = candidateCodec.decode(candidateCodec.encode(c));
    expect(Array.from(trainables(d.graph)[0]!.dataSync())).toEqual([NaN, 1, Infinity, 0]);
    const k = copyCandidate(c, 1, 1);
    expect(Array.from(trainables(k.graph)[0]!.dataSync())).toEqual([NaN, 1, Infinity, 0]);
    disposeCandidate(c);
    disposeCandidate(d);
    disposeCandidate(k);
  });

  test("foreign, truncated and damaged bytes are refused without leaks", () => {
    const c = trained();
    const bytes = candidateCodec.encode(c);
    expect(refusal(() => candidateCodec.decode(new Uint8Array([1, 2, 3]))).message).toMatch('not a fluxion candidate: the bytes do not start with "FLXCANDI"');
    expect(refusal(() => candidateCodec.decode(bytes.subarray(0, bytes.length - 10))).message).toMatch(/candidateCodec.decode|graphCodec.decode/);
    const damaged = bytes.slice();
    damaged[damaged.length - 3]! ^= 0xff;
    expect(refusal(() => candidateCodec.decode(damaged)).message).toMatch(/CRC|checksum|damaged|corrupt/i);
    disposeCandidate(c);
  });

  test("copyCandidate: an independent deep copy with a new id, generation and parent", () => {
    const c = trained();
    const before = liveTensors();
    const k = copyCandidate(c, 12, 4, ["changeNout(h, +2)"]);
    expect(liveTensors() - before).toBe(trainables(c.graph).length + stateTensors(c).length);
    expect([k.id, k.generation, k.lineage, k.fitness, k.metrics]).toEqual([12, 4, { parents: [7], operations: ["changeNout(h, +2)"] }, undefined, undefined]);
    expect(bits(trainables(k.graph))).toEqual(bits(trainables(c.graph)));
    expect(bits(stateTensors(k))).toEqual(bits(stateTensors(c)));
    expect(k.rule).toBe(c.rule);
    // Changing the copy leaves the parent alone.
    const w = trainables(k.graph)[0] as tf.Variable;
    tf.tidy(() => w.assign(tf.zerosLike(w)));
    expect(trainables(c.graph)[0]!.dataSync()[0]).not.toBe(0);
    disposeCandidate(k);
    expect(liveTensors()).toBe(before);
    disposeCandidate(c);
  });

  test("makeCandidate refuses bad parts with what was expected", () => {
    const g = mlp();
    expect(() => makeCandidate({ id: -1, generation: 0, graph: g, rule: new Adam() })).toThrow("makeCandidate: id must be a whole number >= 0");
    expect(() => makeCandidate({ id: 0, generation: 0, graph: {} as CompGraph, rule: new Adam() })).toThrow("makeCandidate: graph must be a CompGraph");
    expect(() => makeCandidate({ id: 0, generation: 0, graph: g, rule: "adam" as never })).toThrow("makeCandidate: rule must be an optimiser rule");
    expect(() => makeCandidate({ id: 0, generation: 0, graph: g, rule: new Adam(), lineage: { parents: ["a"], operations: [] } as never })).toThrow("makeCandidate: lineage must be");
    tf.dispose(trainables(g));
  });

  test("PersistentArray of candidates: persist and load back", async () => {
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(`${tmpdir()}/cand-`);
    const c = trained();
    await PersistentArray.wrap(dir, [c], { suffix: ".cand", codec: candidateCodec }).persist();
    const [d] = await PersistentArray.create(dir, 1, undefined, { suffix: ".cand", codec: candidateCodec });
    expect(bits(trainables(d!.graph))).toEqual(bits(trainables(c.graph)));
    expect(d!.fitness).toBe(0.731);
    disposeCandidate(c);
    disposeCandidate(d!);
    await rm(dir, { recursive: true });
  });
});
