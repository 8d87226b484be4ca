// Recurrent cells (one step, given and zero states) and whole-sequence layers over a few time steps.
import { tf } from "@fluxion/backend";
import {
  GRU, GRUCell, GRUv3, GRUv3Cell, LSTM, LSTMCell, Recurrence, relu, RNN, RNNCell, Stateful, type RecurrentCellOptions,
} from "@fluxion/nn";
import type { ParityCase } from "../case.js";
import { layerCase, seeded } from "./layers-probe.js";
import { randn } from "./tensors.js";

/** Seeded kernels and a non-zero bias for a cell with `gates` gates. */
const kernels = (gates: number, out: number, seed: number): RecurrentCellOptions => ({
  initKernel: seeded(seed),
  initRecurrentKernel: seeded(seed + 1),
  bias: randn([gates * out], seed + 2, 0.3),
});

export const recurrentLayerCases: ParityCase[] = [
  layerCase("RNNCell 4 => 6, tanh, one step from a given state", 501, {
    build: () => new RNNCell([4, 6], undefined, kernels(1, 6, 5010)),
    inputs: () => [randn([3, 4], 5011), randn([3, 6], 5012, 0.5)],
    forward: (m, x, h) => m.apply(x, h),
  }),
  layerCase("RNNCell 3 => 5, relu, one unbatched step from zeros", 502, {
    build: () => new RNNCell([3, 5], relu, kernels(1, 5, 5020)),
    inputs: () => [randn([3], 5021)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("LSTMCell 4 => 5, one step from a given [h, c]", 503, {
    build: () => new LSTMCell([4, 5], kernels(4, 5, 5030)),
    inputs: () => [randn([3, 4], 5031), randn([3, 5], 5032, 0.5), randn([3, 5], 5033, 0.5)],
    forward: (m, x, h, c) => m.apply(x, [h, c]),
  }),
  layerCase("GRUCell 4 => 5, one step from a given state", 504, {
    build: () => new GRUCell([4, 5], kernels(3, 5, 5040)),
    inputs: () => [randn([3, 4], 5041), randn([3, 5], 5042, 0.5)],
    forward: (m, x, h) => m.apply(x, h),
  }),
  layerCase("GRUv3Cell 4 => 5, one step from a given state", 505, {
    build: () => new GRUv3Cell([4, 5], kernels(3, 5, 5050)),
    inputs: () => [randn([3, 4], 5051), randn([3, 5], 5052, 0.5)],
    forward: (m, x, h) => m.apply(x, h),
  }),
  layerCase("RNN 3 => 5 over 6 steps", 506, {
    build: () => new RNN([3, 5], undefined, kernels(1, 5, 5060)),
    inputs: () => [randn([2, 6, 3], 5061)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("LSTM 4 => 6 over 5 steps from a given state, returnState", 507, {
    build: () => new LSTM([4, 6], { ...kernels(4, 6, 5070), returnState: true }),
    inputs: () => [randn([2, 5, 4], 5071), randn([2, 6], 5072, 0.5), randn([2, 6], 5073, 0.5)],
    forward: (m, x, h, c) => m.apply(x, [h, c]),
  }),
  layerCase("LSTM 64 => 32 over 4 steps (long reduction)", 508, {
    build: () => new LSTM([64, 32], kernels(4, 32, 5080)),
    inputs: () => [randn([2, 4, 64], 5081)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("GRU 3 => 4 over 5 steps", 509, {
    build: () => new GRU([3, 4], kernels(3, 4, 5090)),
    inputs: () => [randn([3, 5, 3], 5091)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("GRU 128 => 16 over 3 steps of one unbatched sequence (long reduction)", 510, {
    build: () => new GRU([128, 16], kernels(3, 16, 5100)),
    inputs: () => [randn([3, 128], 5101)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("GRUv3 3 => 4 over 5 steps", 511, {
    build: () => new GRUv3([3, 4], kernels(3, 4, 5110)),
    inputs: () => [randn([2, 5, 3], 5111)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("Recurrence(GRUv3Cell 2 => 3), returnState, from a given state", 512, {
    build: () => new Recurrence(new GRUv3Cell([2, 3], kernels(3, 3, 5120)), { returnState: true }),
    inputs: () => [randn([2, 4, 2], 5121), randn([2, 3], 5122, 0.5)],
    forward: (m, x, h) => m.apply(x, h),
  }),
  layerCase("Stateful(LSTMCell 3 => 4) over three calls", 513, {
    build: () => new Stateful(new LSTMCell([3, 4], kernels(4, 4, 5130))),
    inputs: () => [randn([2, 3], 5131), randn([2, 3], 5132), randn([2, 3], 5133)],
    forward: (m, ...xs) => {
      m.reset();
      return xs.map((x) => m.apply(x));
    },
  }),
];
