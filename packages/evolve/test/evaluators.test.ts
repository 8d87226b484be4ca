import { createHash } from "node:crypto";
import { afterAll, describe, expect, test } from "@jest/globals";
import { liveTensors } from "@fluxion/backend/testing";
import {
  SequentialEvaluator, WORST_FITNESS, type EncodedResult, candidateCodec, copyCandidate, disposeCandidate, evaluateEncoded, loadProblem, populationDigest, sha256Hex, unloadProblem,
} from "@fluxion/evolve";
import { toyPopulation, toyProblem } from "./helpers-search.js";

const ref = toyProblem();
afterAll(() => unloadProblem(ref));

describe("digest", () => {
  test("sha256Hex gives FIPS 180-4's test vectors", () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(sha256Hex(text(""))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex(text("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))).toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    expect(sha256Hex(new Uint8Array(1_000_000).fill(0x61))).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    // Every length around the 55/56/64-byte padding boundaries, against node:crypto.
    for (let n = 0; n < 200; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 255);
      expect(sha256Hex(bytes)).toBe(createHash("sha256").update(bytes).digest("hex"));
    }
  });
});

describe("evaluateEncoded and SequentialEvaluator", () => {
  test("the worker side gives bit for bit what the sequential evaluator gives", async () => {
    await loadProblem(ref); // the problem's own tensors live for the process
    const before = liveTensors();
    const pop = toyPopulation(3);
    const copies = pop.map((c) => copyCandidate(c, c.id, 0));
    const seq = new SequentialEvaluator(ref);
    const evaluated = await seq.evaluate(pop, { run: "t", seed: 5, generation: 2 });
    expect(evaluated.map((c) => c.graph)).toEqual(pop.map((c) => c.graph)); // the same objects, trained
    const results: EncodedResult[] = [];
    for (const c of copies) {
      results.push(await evaluateEncoded(ref, { run: "t", seed: 5, generation: 2, id: c.id, candidate: candidateCodec.encode(c) }));
      disposeCandidate(c);
    }
    const decoded = results.map((r) => candidateCodec.decode(r.candidate));
    expect(results.map((r) => r.fitness)).toEqual(evaluated.map((c) => c.fitness));
    expect(decoded.map((c) => c.fitness)).toEqual(evaluated.map((c) => c.fitness));
    expect(evaluated.every((c) => c.fitness! > WORST_FITNESS && c.metrics!.steps === 6)).toBe(true);
    expect(populationDigest(decoded)).toBe(populationDigest(evaluated));
    // Another seed trains on other batches.
    const again = toyPopulation(3);
    const other = await seq.evaluate(again, { run: "t", seed: 6, generation: 2 });
    expect(populationDigest(other)).not.toBe(populationDigest(evaluated));
    for (const c of [...decoded, ...evaluated, ...other]) disposeCandidate(c);
    expect(liveTensors()).toBe(before);
    await seq.close();
  });

  test("a problem that throws for a candidate: the worst fitness with the error, nothing leaked", async () => {
    const bad = toyProblem({ crash: { id: 1, mode: "throw" } });
    await loadProblem(bad);
    const before = liveTensors();
    const pop = toyPopulation(2);
    const out = await new SequentialEvaluator(bad).evaluate(pop, { run: "t", seed: 1, generation: 0 });
    expect(out[1]!.fitness).toBe(WORST_FITNESS);
    expect(out[1]!.error).toBe("toy problem: planted failure for candidate 1");
    expect(out[0]!.error).toBeUndefined();
    out.forEach(disposeCandidate);
    expect(liveTensors()).toBe(before);
    await unloadProblem(bad);
  });

  test("a task whose bytes hold another candidate, and a missing module, are clear errors", async () => {
    const [c] = toyPopulation(1);
    const before = liveTensors();
    await expect(evaluateEncoded(ref, { run: "t", seed: 1, generation: 0, id: 4, candidate: candidateCodec.encode(c!) })).rejects.toThrow("evaluateEncoded: the task is for candidate 4, its bytes hold candidate 0");
    expect(liveTensors()).toBe(before);
    await expect(loadProblem({ module: "/nowhere/problem.js" })).rejects.toThrow("loadProblem: cannot import the problem module '/nowhere/problem.js'");
    await expect(loadProblem({ module: ref.module, name: "nope" })).rejects.toThrow(`loadProblem: the module '${ref.module}' has no function export 'nope'`);
    expect(() => new SequentialEvaluator({} as never)).toThrow("SequentialEvaluator: problem must be { module");
    disposeCandidate(c!);
  });
});
