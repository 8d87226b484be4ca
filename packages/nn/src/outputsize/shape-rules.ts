// The shape rules of the built-in layers for `outputsize`: each checks the input size as the
// layer's `apply` does (same messages) and gives the output size without computing anything.
import { tf } from "@fluxion/backend";
import * as act from "../functions/activations.js";
import { checkFeatures, checkInputChannels } from "../core/checks.js";
import { Chain } from "../layers/basic/chain.js";
import { Maxout, Parallel, SkipConnection } from "../layers/basic/containers.js";
import { Dense } from "../layers/basic/dense.js";
import { Embedding } from "../layers/basic/embedding.js";
import { flatten } from "../layers/basic/flatten.js";
import { Conv, ConvTranspose, CrossCor } from "../layers/conv/conv.js";
import { checkOutputSize, checkRank, convOutputSize } from "../layers/conv/conv-padding.js";
import { AdaptiveMaxPool, AdaptiveMeanPool, GlobalMaxPool, GlobalMeanPool, MaxPool, MeanPool } from "../layers/conv/pooling.js";
import { AlphaDropout, Dropout } from "../layers/normalise/dropout.js";
import { BatchNorm, GroupNorm, InstanceNorm, LayerNorm } from "../layers/normalise/normalise.js";
import { WeightNorm } from "../layers/normalise/weight-norm.js";
import { chainShape, registerOutputSize, shapeByRunning, shapeOf, type Shape } from "./engine.js";

/** The shape-like object the checks take. */
const like = (s: Shape) => ({ rank: s.length, shape: s });
const same = (_l: unknown, [x]: Shape[]) => x!;

for (const f of Object.values(act)) {
  if (typeof f === "function" && f !== act.activationName && f !== act.setActivationName) registerOutputSize(f, same);
}
registerOutputSize(flatten, (_f, [x]) => {
  if (x!.length === 0) throw new Error("flatten expects a tensor of at least 1 dim [batch, …], got a scalar");
  return [x![0]!, x!.slice(1).reduce((a, b) => a * b, 1)];
});

registerOutputSize(Dense, (l: Dense, [x]) => {
  const [nIn, nOut] = l.weight.shape as [number, number];
  checkFeatures(l, like(x!) as never, nIn);
  return [...x!.slice(0, -1), nOut];
});
registerOutputSize(Chain, (l: Chain, inputs) => chainShape(l.list(), inputs));
registerOutputSize(WeightNorm, (l: WeightNorm, inputs) => shapeOf(l.layer, inputs));

// Conv, CrossCor and ConvTranspose (and DepthwiseConv, a Conv): their own size arithmetic.
for (const C of [Conv, CrossCor, ConvTranspose]) {
  registerOutputSize(C, (l: any, [x]) => {
    const n = l.stride.length as number;
    checkRank(l, like(x!), n + 2);
    checkInputChannels(l, like(x!), l.inputChannels);
    const spatial = l.outputSize(x!.slice(1, n + 1)) as number[];
    checkOutputSize(l, like(x!), spatial);
    return [x![0]!, ...spatial, l.outputChannels];
  });
}

function poolRank(l: { repr(): string }, x: Shape, n: number): void {
  if (x.length !== n + 2) throw new Error(`layer ${l.repr()} expects ndims(input) == ${n + 2} ([batch, ${n} spatial dims…, channels]), but got a tensor of shape [${x.join(", ")}]`);
}
for (const P of [MaxPool, MeanPool]) {
  registerOutputSize(P, (l: MaxPool, [x]) => {
    const n = l.k.length;
    poolRank(l, x!, n);
    const spatial = convOutputSize(x!.slice(1, n + 1), l.k, l.stride, l.pad, Array<number>(n).fill(1));
    checkOutputSize(l, like(x!), spatial);
    return [x![0]!, ...spatial, x!.at(-1)!];
  });
}
for (const P of [GlobalMaxPool, GlobalMeanPool]) {
  registerOutputSize(P, (l: GlobalMaxPool, [x]) => {
    if (x!.length < 3) throw new Error(`layer ${l.repr()} expects an input [batch, spatial…, channels] of at least 3 dims, but got a tensor of shape [${x!.join(", ")}]`);
    return x!.map((d, i) => (i === 0 || i === x!.length - 1 ? d : 1));
  });
}
for (const P of [AdaptiveMaxPool, AdaptiveMeanPool]) {
  registerOutputSize(P, (l: AdaptiveMaxPool, [x]) => {
    const n = l.out.length;
    poolRank(l, x!, n);
    if (x!.slice(1, n + 1).some((s, i) => s < l.out[i]!)) {
      throw new Error(`layer ${l.repr()} needs a spatial size of at least the output size, but got a tensor of shape [${x!.join(", ")}]`);
    }
    return [x![0]!, ...l.out, x!.at(-1)!];
  });
}

// Normalisation and dropout keep the size; like Flux's Nil methods, the statistics are bypassed.
registerOutputSize(Dropout, same);
registerOutputSize(AlphaDropout, same);
for (const N of [BatchNorm, InstanceNorm, GroupNorm]) {
  registerOutputSize(N, (l: BatchNorm, [x]) => {
    checkInputChannels(l, like(x!), l.chs);
    return x!;
  });
}
registerOutputSize(LayerNorm, (l: LayerNorm, [x]) => {
  const tail = x!.slice(x!.length - l.size.length);
  if (x!.length < l.size.length || tail.some((d, i) => d !== l.size[i])) {
    throw new Error(`layer ${l.repr()} expects the trailing dims of the input to be [${l.size.join(", ")}], but got a tensor of shape [${x!.join(", ")}]`);
  }
  return x!;
});
// Embedding: the size of one-hot (float) rows [..., in]; int32 indices [...] give [..., out] too.
registerOutputSize(Embedding, (l: Embedding, [x]) => {
  const [nIn, nOut] = l.weight.shape as [number, number];
  checkFeatures(l, like(x!) as never, nIn);
  return [...x!.slice(0, -1), nOut];
});

// Containers: their layers by rule, their connection (a cheap function) run on zeros.
registerOutputSize(SkipConnection, (l: SkipConnection, [x]) => shapeByRunning(l.connection, [shapeOf(l.layers, [x!]), x!]));
registerOutputSize(Parallel, (l: Parallel, inputs) => {
  const layers = l.list();
  const [nl, nx] = [layers.length, inputs.length];
  if (nx !== 1 && nl !== 1 && nx !== nl) throw new Error(`Parallel with ${nl} > 1 sub-layers can take one input or ${nl} inputs, but got ${nx} inputs`);
  const branch = nx === 1 ? layers.map((f) => shapeOf(f, inputs)) : nl === 1 ? inputs.map((s) => shapeOf(layers[0]!, [s])) : layers.map((f, i) => shapeOf(f, [inputs[i]!]));
  return shapeByRunning(l.connection, branch);
});
registerOutputSize(Maxout, (l: Maxout, [x]) => {
  const shapes = l.layers.map((f) => shapeOf(f, [x!]));
  return shapes.reduce((a, b) => tf.backend_util.assertAndGetBroadcastShape(a, b));
});
