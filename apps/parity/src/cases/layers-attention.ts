// dotProductAttention and MultiHeadAttention: outputs y and scores α, masks, logit bias, dropout.
import { tf } from "@fluxion/backend";
import { dotProductAttention, makeCausalMask, MultiHeadAttention, Rng, trainMode } from "@fluxion/nn";
import type { ParityCase } from "../case.js";
import { layerCase, seeded } from "./layers-probe.js";
import { randn } from "./tensors.js";

export const attentionLayerCases: ParityCase[] = [
  layerCase("dotProductAttention, 2 heads, lenQ 5, lenK 6", 601, {
    build: () => null,
    inputs: () => [randn([2, 5, 8], 6011), randn([2, 6, 8], 6012), randn([2, 6, 4], 6013)],
    forward: (_, q, k, v) => dotProductAttention(q, k, v, { nheads: 2 }),
  }),
  layerCase("dotProductAttention with a logit bias and a causal mask, batch dims [2, 3]", 602, {
    build: () => null,
    inputs: () => [randn([2, 3, 4, 6], 6021), randn([2, 3, 4, 6], 6022), randn([2, 3, 4, 6], 6023), randn([4, 4], 6024, 0.5)],
    forward: (_, q, k, v, bias) => tf.tidy(() => dotProductAttention(q, k, v, bias, { nheads: 3, mask: makeCausalMask(4) })),
  }),
  layerCase("MultiHeadAttention(16, nheads 4, bias) self-attention with a causal mask", 603, {
    build: () => new MultiHeadAttention(16, { nheads: 4, bias: true, init: seeded(6030) }),
    inputs: () => [randn([2, 6, 16], 6031)],
    forward: (m, x) => tf.tidy(() => m.apply(x, { mask: makeCausalMask(6) })),
    // A key bias adds q·b to every key's logit alike, which the softmax cancels.
    omit: ["dmodel.kProj.bias"],
  }),
  layerCase("MultiHeadAttention([[8, 6, 4], [16, 8], 12], nheads 2) cross-attention", 604, {
    build: () => new MultiHeadAttention([[8, 6, 4], [16, 8], 12], { nheads: 2, init: seeded(6040) }),
    inputs: () => [randn([2, 3, 8], 6041), randn([2, 5, 6], 6042), randn([2, 5, 4], 6043)],
    forward: (m, q, k, v) => m.apply(q, k, v),
  }),
  layerCase("MultiHeadAttention(64, nheads 4) over 8 positions (long reduction)", 605, {
    build: () => new MultiHeadAttention(64, { nheads: 4, init: seeded(6050) }),
    inputs: () => [randn([2, 8, 64], 6051)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("MultiHeadAttention(8, nheads 2, dropoutProb 0.2), train mode", 606, {
    build: () => {
      const m = trainMode(new MultiHeadAttention(8, { nheads: 2, dropoutProb: 0.2, init: seeded(6060) }));
      m.attnDrop.rng = new Rng(6061);
      return m;
    },
    inputs: () => [randn([2, 5, 8], 6062)],
    forward: (m, x) => m.apply(x),
  }),
];
