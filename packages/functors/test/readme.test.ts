// The README's example, run as written.
import { expect, test } from "@jest/globals";
import { KeyPath, fcollect, fleaves, fmap, fmapStructure, fmapWithPath, getKeyPath, registerFunctor } from "../src/index.js";

test("README example", () => {
  class Dense {
    constructor(public weight: Float32Array, public bias: Float32Array, public act: string) {}
  }
  registerFunctor(Dense, ["weight", "bias"]);
  const w = new Float32Array([1, 2]);
  const model = { layers: [new Dense(w, new Float32Array([0]), "relu"), new Dense(w, new Float32Array([1]), "id")] };

  const doubled = fmap((x: Float32Array) => x.map((v) => 2 * v), model);
  expect(doubled.layers[0]).toBeInstanceOf(Dense);
  expect(doubled.layers[0]!.weight).toBe(doubled.layers[1]!.weight);
  expect(Array.from(doubled.layers[0]!.weight)).toEqual([2, 4]);
  expect(doubled.layers[1]!.act).toBe("id");
  expect(fmapStructure((x: Float32Array) => x.length, model)).toEqual({ layers: [{ weight: 2, bias: 1 }, { weight: 2, bias: 1 }] });
  expect(fleaves(model)).toHaveLength(4);
  expect(fcollect(model)).toHaveLength(7);
  const paths = fmapWithPath((kp: KeyPath) => kp.toString({ compact: true }), model);
  expect(paths.layers[0]!.weight).toBe("layers.0.weight");
  expect(paths.layers[1]!.bias).toBe("layers.1.bias");
  expect(Array.from(getKeyPath(model, new KeyPath("layers", 1, "bias")) as Float32Array)).toEqual([1]);
});
