// Convolutions (stride, padding, dilation, groups, SamePad, 1-d to 3-d), pooling, upsampling and
// PixelShuffle. The forward pass runs untaped and the gradient taped: conv-ops picks different
// kernels (native, im2col) for the two, so both paths are compared.
import { tf } from "@fluxion/backend";
import {
  AdaptiveMaxPool, AdaptiveMeanPool, Conv, ConvTranspose, CrossCor, DepthwiseConv, GlobalMaxPool, GlobalMeanPool, MaxPool,
  MeanPool, PixelShuffle, relu, SamePad, tanh, Upsample,
} from "@fluxion/nn";
import type { ParityCase } from "../case.js";
import { layerCase, seeded } from "./layers-probe.js";
import { randn } from "./tensors.js";

type Layer = { apply(x: tf.Tensor): tf.Tensor };

/** A case of one layer applied to one seeded input. */
const single = (name: string, seed: number, build: () => Layer, shape: number[]): ParityCase =>
  layerCase(name, seed, { build, inputs: () => [randn(shape, seed * 10 + 1)], forward: (m, x) => m.apply(x) });

const bias = (n: number, seed: number) => randn([n], seed, 0.3);

export const convLayerCases: ParityCase[] = [
  single("Conv (3, 3), 2 => 4, relu", 101, () => new Conv([3, 3], [2, 4], relu, { init: seeded(1010), bias: bias(4, 1011) }), [2, 6, 6, 2]),
  single("Conv (3, 3), 16 => 8 (long reduction)", 102, () => new Conv([3, 3], [16, 8], undefined, { init: seeded(1020), bias: bias(8, 1021) }), [2, 8, 8, 16]),
  single("Conv (3, 3), 3 => 4, stride 2, pad 1", 103, () => new Conv([3, 3], [3, 4], tanh, { init: seeded(1030), stride: 2, pad: 1 }), [2, 7, 7, 3]),
  single("Conv (3, 2), 2 => 3, pad (1, 0, 2, 1), stride (1, 2)", 104, () => new Conv([3, 2], [2, 3], undefined, { init: seeded(1040), pad: [1, 0, 2, 1], stride: [1, 2] }), [2, 5, 6, 2]),
  single("Conv (3, 3), 2 => 3, dilation 2", 105, () => new Conv([3, 3], [2, 3], undefined, { init: seeded(1050), bias: bias(3, 1051), dilation: 2 }), [1, 9, 9, 2]),
  single("Conv (3, 3), 2 => 3, dilation (2, 1), stride 2", 106, () => new Conv([3, 3], [2, 3], undefined, { init: seeded(1060), dilation: [2, 1], stride: 2 }), [2, 9, 8, 2]),
  single("Conv (3, 3), 4 => 6, groups 2", 107, () => new Conv([3, 3], [4, 6], undefined, { init: seeded(1070), bias: bias(6, 1071), groups: 2 }), [2, 5, 5, 4]),
  single("Conv (4, 4), 3 => 2, SamePad, stride 2", 108, () => new Conv([4, 4], [3, 2], undefined, { init: seeded(1080), pad: new SamePad(), stride: 2 }), [1, 7, 7, 3]),
  single("Conv (3, 3), 2 => 2, SamePad, dilation 2", 109, () => new Conv([3, 3], [2, 2], undefined, { init: seeded(1090), pad: new SamePad(), dilation: 2 }), [1, 6, 6, 2]),
  single("Conv (5,), 3 => 4, pad 2 (1-d)", 110, () => new Conv([5], [3, 4], tanh, { init: seeded(1100), bias: bias(4, 1101), pad: 2 }), [2, 10, 3]),
  single("Conv (3,), 4 => 4, stride 2, dilation 2, groups 4 (1-d)", 111, () => new Conv([3], [4, 4], undefined, { init: seeded(1110), stride: 2, dilation: 2, groups: 4 }), [2, 11, 4]),
  single("Conv (2, 2, 2), 2 => 3 (3-d)", 112, () => new Conv([2, 2, 2], [2, 3], undefined, { init: seeded(1120), bias: bias(3, 1121) }), [1, 4, 4, 4, 2]),
  single("Conv (3, 3, 3), 2 => 2, stride 2, pad 1 (3-d)", 113, () => new Conv([3, 3, 3], [2, 2], undefined, { init: seeded(1130), stride: 2, pad: 1 }), [1, 5, 5, 5, 2]),
  single("Conv (3, 3, 3), 2 => 2, dilation 2, pad (1, 0, 0, 1, 1, 1) (3-d)", 126, () => new Conv([3, 3, 3], [2, 2], undefined, { init: seeded(1260), dilation: 2, pad: [1, 0, 0, 1, 1, 1] }), [1, 5, 5, 5, 2]),
  single("ConvTranspose (3, 3), 4 => 2, stride 2", 114, () => new ConvTranspose([3, 3], [4, 2], undefined, { init: seeded(1140), bias: bias(2, 1141), stride: 2 }), [2, 4, 4, 4]),
  single("ConvTranspose (4, 4), 3 => 2, stride 2, pad 1, outpad 1", 115, () => new ConvTranspose([4, 4], [3, 2], relu, { init: seeded(1150), stride: 2, pad: 1, outpad: 1 }), [1, 3, 4, 3]),
  single("ConvTranspose (3, 3), 2 => 3, SamePad, stride 2", 116, () => new ConvTranspose([3, 3], [2, 3], undefined, { init: seeded(1160), pad: new SamePad(), stride: 2 }), [2, 3, 3, 2]),
  single("ConvTranspose (3, 3), 4 => 4, groups 2, dilation 2", 117, () => new ConvTranspose([3, 3], [4, 4], undefined, { init: seeded(1170), groups: 2, dilation: 2 }), [1, 4, 4, 4]),
  single("ConvTranspose (3, 3), 16 => 4, stride 2 (long reduction)", 118, () => new ConvTranspose([3, 3], [16, 4], undefined, { init: seeded(1180), stride: 2 }), [2, 5, 5, 16]),
  single("ConvTranspose (4,), 3 => 2, stride 3 (1-d)", 119, () => new ConvTranspose([4], [3, 2], tanh, { init: seeded(1190), stride: 3 }), [2, 5, 3]),
  single("ConvTranspose (2, 2, 2), 2 => 2, stride 2 (3-d)", 120, () => new ConvTranspose([2, 2, 2], [2, 2], undefined, { init: seeded(1200), stride: 2 }), [1, 3, 3, 3, 2]),
  single("ConvTranspose (3, 3, 3), 2 => 2, stride 2, pad 1, outpad 1, dilation (1, 2, 1) (3-d)", 127, () => new ConvTranspose([3, 3, 3], [2, 2], undefined, { init: seeded(1270), stride: 2, pad: 1, outpad: 1, dilation: [1, 2, 1] }), [1, 2, 3, 2, 2]),
  single("CrossCor (3, 3), 3 => 2, pad 1", 121, () => new CrossCor([3, 3], [3, 2], undefined, { init: seeded(1210), bias: bias(2, 1211), pad: 1 }), [2, 5, 5, 3]),
  single("CrossCor (2, 3), 2 => 2, stride 2, dilation 2", 122, () => new CrossCor([2, 3], [2, 2], tanh, { init: seeded(1220), stride: 2, dilation: 2 }), [1, 8, 9, 2]),
  single("DepthwiseConv (3, 3), 3 => 6, pad 1", 123, () => DepthwiseConv([3, 3], [3, 6], undefined, { init: seeded(1230), bias: bias(6, 1231), pad: 1 }), [2, 5, 5, 3]),
  single("DepthwiseConv (3, 3), 4 => 4, stride 2, dilation 2", 124, () => DepthwiseConv([3, 3], [4, 4], relu, { init: seeded(1240), stride: 2, dilation: 2 }), [1, 9, 9, 4]),
  single("DepthwiseConv (3, 3), 16 => 16 (16 channels)", 125, () => DepthwiseConv([3, 3], [16, 16], undefined, { init: seeded(1250) }), [2, 6, 6, 16]),
];

export const poolLayerCases: ParityCase[] = [
  single("MaxPool (2, 2)", 201, () => new MaxPool([2, 2]), [2, 6, 6, 3]),
  single("MaxPool (3, 3), stride 2, pad 1 (overlapping)", 202, () => new MaxPool([3, 3], { stride: 2, pad: 1 }), [2, 7, 7, 3]),
  single("MaxPool (2, 2), SamePad, stride 1", 203, () => new MaxPool([2, 2], { pad: new SamePad(), stride: 1 }), [1, 5, 5, 2]),
  single("MaxPool (3,), stride 2 (1-d)", 204, () => new MaxPool([3], { stride: 2 }), [2, 9, 3]),
  single("MaxPool (2, 2, 2), stride 1 (3-d, overlapping)", 205, () => new MaxPool([2, 2, 2], { stride: 1 }), [1, 4, 4, 4, 2]),
  single("MaxPool (3, 3, 3), stride 2, pad 1 (3-d, overlapping, padded)", 223, () => new MaxPool([3, 3, 3], { stride: 2, pad: 1 }), [1, 5, 5, 5, 2]),
  single("MeanPool (2, 2)", 206, () => new MeanPool([2, 2]), [2, 6, 6, 3]),
  single("MeanPool (3, 3), SamePad, stride 1", 207, () => new MeanPool([3, 3], { pad: new SamePad(), stride: 1 }), [1, 5, 5, 2]),
  single("MeanPool (2, 2, 2) (3-d)", 208, () => new MeanPool([2, 2, 2]), [1, 4, 4, 4, 2]),
  single("MeanPool (2, 2, 2), pad 1 (3-d, padded)", 224, () => new MeanPool([2, 2, 2], { pad: 1 }), [1, 4, 4, 4, 2]),
  single("MeanPool (4,), stride 3, pad 1 (1-d)", 209, () => new MeanPool([4], { stride: 3, pad: 1 }), [2, 10, 3]),
  single("GlobalMaxPool over 16 × 16", 210, () => new GlobalMaxPool(), [2, 16, 16, 4]),
  single("GlobalMeanPool over 16 × 16 (long reduction)", 211, () => new GlobalMeanPool(), [2, 16, 16, 4]),
  single("GlobalMeanPool (1-d)", 212, () => new GlobalMeanPool(), [3, 7, 2]),
  single("AdaptiveMaxPool (3, 3) of 7 × 8", 213, () => new AdaptiveMaxPool([3, 3]), [2, 7, 8, 3]),
  single("AdaptiveMeanPool (2, 4) of 8 × 8", 214, () => new AdaptiveMeanPool([2, 4]), [2, 8, 8, 3]),
  single("Upsample nearest, scale 2", 215, () => new Upsample("nearest", { scale: 2 }), [2, 3, 3, 2]),
  single("Upsample nearest, size (6, 9) from 2 × 3", 216, () => new Upsample("nearest", { size: [6, 9] }), [1, 2, 3, 2]),
  single("Upsample nearest, scale 2 (1-d)", 217, () => new Upsample(2), [2, 4, 3]),
  single("Upsample bilinear, scale 2", 218, () => new Upsample("bilinear", { scale: 2 }), [2, 3, 4, 2]),
  single("Upsample bilinear, size (5, 7)", 219, () => new Upsample("bilinear", { size: [5, 7] }), [1, 3, 3, 3]),
  single("Upsample trilinear, scale (2, 1, 3)", 220, () => new Upsample("trilinear", { scale: [2, 1, 3] }), [1, 2, 3, 2, 2]),
  single("PixelShuffle(2)", 221, () => new PixelShuffle(2), [2, 3, 3, 8]),
  single("PixelShuffle(3) (1-d)", 222, () => new PixelShuffle(3), [2, 4, 6]),
];
