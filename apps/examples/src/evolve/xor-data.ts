// XOR, generated in code. With only four distinct points the three splits cannot be disjoint
// samples, so: train and validation are the four corners with a little seeded Gaussian noise
// (different draws), and the test set is the four exact corners. A model that labels the noisy
// validation points right has learnt the rule, and the test says so on the exact points.
import { Rng } from "fluxion";
import type { Dataset, Split } from "./dataset.js";

const CORNERS: readonly (readonly [number, number, number])[] = [
  [0, 0, 0],
  [0, 1, 1],
  [1, 0, 1],
  [1, 1, 0],
];
/** Standard deviation of the noise on train and validation points: corners stay far apart. */
export const XOR_NOISE = 0.1;

function noisy(copies: number, rng: Rng): Split {
  const x = new Float32Array(copies * CORNERS.length * 2);
  const y: number[] = [];
  for (let c = 0; c < copies; c++) {
    for (const [a, b, label] of CORNERS) {
      x[y.length * 2] = a + XOR_NOISE * rng.normal();
      x[y.length * 2 + 1] = b + XOR_NOISE * rng.normal();
      y.push(label);
    }
  }
  return { x, y };
}

/** XOR: 64 noisy training points, 16 noisy validation points, the 4 exact corners as the test. */
export function xorData(seed: number): Dataset {
  const rng = new Rng(seed);
  return {
    name: "xor",
    task: "classification",
    features: 2,
    inputShape: [2],
    outputs: 2,
    train: noisy(16, rng),
    validation: noisy(4, rng),
    test: { x: Float32Array.from(CORNERS.flatMap(([a, b]) => [a, b])), y: CORNERS.map(([, , l]) => l) },
    about: `XOR: 64 train and 16 validation points (the corners + N(0, ${XOR_NOISE}²) noise), tested on the 4 exact corners`,
  };
}
