// Every layer nn exports, forward and gradient (with respect to the model and the input), and
// every activation. Each family lives in its own file; the order here is the suite's order.
import type { ParityCase } from "../case.js";
import { activationLayerCases } from "./layers-activations.js";
import { attentionLayerCases } from "./layers-attention.js";
import { basicLayerCases } from "./layers-basic.js";
import { convLayerCases, poolLayerCases } from "./layers-conv.js";
import { dropoutLayerCases, normLayerCases, weightNormLayerCases } from "./layers-norm.js";
import { recurrentLayerCases } from "./layers-recurrent.js";

/** The cases by family, for reporting errors per family. */
export const layerFamilies: Record<string, ParityCase[]> = {
  "dense and containers": basicLayerCases,
  conv: convLayerCases,
  "pooling and upsampling": poolLayerCases,
  normalisation: normLayerCases,
  "weight normalisation": weightNormLayerCases,
  dropout: dropoutLayerCases,
  recurrent: recurrentLayerCases,
  attention: attentionLayerCases,
  activations: activationLayerCases,
};

export const layerCases: ParityCase[] = Object.values(layerFamilies).flat();
