// patience, earlyStopping and plateau against Flux 0.16.11's test/utils.jl ("Patience triggers")
// and the docstring examples of src/utils.jl.
import { describe, expect, test } from "@jest/globals";
import { earlyStopping, patience, plateau } from "../src/index.js";

// Flux's docstring loops: `for i in 1:10; @info "Epoch $i"; trigger() && break; end`, the epochs logged.
function epochsLogged(trigger: () => boolean): number[] {
  const logged: number[] = [];
  for (let i = 1; i <= 10; i++) {
    logged.push(i);
    if (trigger()) break;
  }
  return logged;
}

describe("patience", () => {
  test("Flux's test: true three times in a row triggers on the third call", () => {
    const trigger = patience(() => true, 3);
    expect([trigger(), trigger(), trigger()]).toEqual([false, false, true]);
  });

  test("Flux's test: a false resets the count (stops after 5 iterations)", () => {
    const v = [false, true, false, true, true, true];
    const trigger = patience((i: number) => v[i]!, 3);
    let nIter = 0;
    for (let i = 0; i < v.length; i++) {
      if (trigger(i)) break;
      nIter += 1;
    }
    expect(nIter).toBe(5);
  });

  test("Flux's docstring: `loss() < 1` with loss = rand() triggers on epoch 3", () => {
    expect(epochsLogged(patience(() => Math.random() < 1, 3))).toEqual([1, 2, 3]);
  });
});

describe("earlyStopping", () => {
  test("Flux's docstring: increasing losses stop on epoch 4 (the first call improves on Inf)", () => {
    let l = 0;
    expect(epochsLogged(earlyStopping(() => (l += 1), 3))).toEqual([1, 2, 3, 4]);
  });

  test("Flux's tests: every iteration improves (decreasing; increasing with a distance; extra arguments)", () => {
    const run = (es: (n: number) => boolean) => {
      let nIter = 0;
      while (nIter < 99) {
        if (es(nIter)) break;
        nIter += 1;
      }
      return nIter;
    };
    expect(run(((es) => (n) => es(-n))(earlyStopping((x: number) => x, 10)))).toBe(99);
    const increasing = earlyStopping((x: number) => x, 10, { distance: (best, score) => score - best, initScore: -Infinity });
    expect(run(increasing)).toBe(99);
    // Julia's keyword argument `y` is an options object here: es(-n; y = -n).
    const withArgs = earlyStopping((x: number, { y }: { y: number }) => x + y, 10);
    expect(run((n) => withArgs(-n, { y: -n }))).toBe(99);
  });

  test("Flux's test: minimum distance (steps of 3 improve; then steps of 1 stop after 9)", () => {
    const es = earlyStopping((x: number) => x, 10, { minDist: 3 });
    let nIter = 0;
    while (nIter < 99) {
      if (es(-nIter)) break;
      nIter += 3;
    }
    expect(nIter).toBe(99);
    nIter = 0;
    while (nIter < 99) {
      if (es(-nIter)) break;
      nIter += 1;
    }
    expect(nIter).toBe(9);
  });
});

describe("plateau", () => {
  test("Flux's docstring and test: -9, 8, -7, 6, … with init 10 and minDist 18 triggers on the 4th call", () => {
    let v = 10;
    const f = () => (v = v / Math.abs(v) - v);
    const trigger = plateau(f, 3, { initScore: 10, minDist: 18 });
    let nIter = 0;
    while (nIter < 99) {
      if (trigger()) break;
      nIter += 1;
    }
    expect(nIter).toBe(3);
    v = 10;
    expect(epochsLogged(plateau(f, 3, { initScore: 10, minDist: 18 }))).toEqual([1, 2, 3, 4]);
  });

  test("the default minDist is Flux's 1f-6 (9.99999997e-7): a move of 1e-6 is progress, one of 9.9e-7 is not", () => {
    const scores = [1, 1 + 1e-6, 1 + 1e-6 + 9.9e-7];
    const trigger = plateau((i: number) => scores[i]!, 1, { initScore: 1 });
    expect(scores.map((_, i) => trigger(i))).toEqual([true, false, true]);
  });
});

test("bad arguments name the function and the field", () => {
  expect(() => patience(3 as never, 2)).toThrow("patience: the first argument must be a function, got number");
  expect(() => earlyStopping(() => 1, -1)).toThrow("earlyStopping: delay must be a non-negative number of calls, got -1");
  expect(() => plateau(() => 1, NaN)).toThrow("plateau: width must be a non-negative number of calls, got NaN");
  expect(() => earlyStopping((() => "a") as never, 2)()).toThrow("earlyStopping: the scores must be numbers for the default distance (best - score), got number and string; pass a distance");
});
