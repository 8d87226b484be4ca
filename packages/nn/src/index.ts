// Layers
export { Layer, call } from "./core/layer.js";
export type { Callable } from "./core/layer.js";
export { layer, showModeOf } from "./core/declare.js";
export type { LayerDeclaration, ShowMode } from "./core/declare.js";
export { Dense } from "./layers/basic/dense.js";
export type { DenseOptions } from "./layers/basic/dense.js";
export { Chain } from "./layers/basic/chain.js";
export { createBias, param } from "./core/params.js";
export type { BiasOption } from "./core/params.js";
export { checkFeatures, checkPair } from "./core/checks.js";

// Activations and initialisers
export {
  identity,
  relu,
  sigmoid,
  tanh,
  leakyrelu,
  elu,
  selu,
  celu,
  softplus,
  logsigmoid,
  softsign,
  swish,
  gelu,
  mish,
  relu6,
  hardsigmoid,
  hardtanh,
  lisht,
  tanhshrink,
  softmax,
  logsoftmax,
  geluTanh,
  geluErf,
  hardswish,
  logcosh,
  softshrink,
  trelu,
  thresholdrelu,
  rrelu,
  tanhFast,
  sigmoidFast,
  activationName,
  setActivationName,
} from "./functions/activations.js";
export type { Activation } from "./functions/activations.js";
export {
  nfan,
  glorotUniform,
  glorotNormal,
  kaimingUniform,
  kaimingNormal,
  truncatedNormal,
  lecunNormal,
  orthogonal,
  sparseInit,
  identityInit,
  zeros32,
  ones32,
  rand32,
  randn32,
} from "./functions/init.js";
export type { Initialiser, InitOptions, TruncatedNormalOptions, SparseInitOptions } from "./functions/init.js";
export { Rng, defaultRng, seedRandom } from "./functions/rng.js";

// Gradients, modules, modes
export { gradient, withGradient, hessian, withinGradient } from "./autodiff/gradient.js";
export type { GradTree, WithGradient } from "./autodiff/gradient.js";
export { modules, testMode, trainMode, isActive } from "./core/modules.js";
export type { HasMode } from "./core/modules.js";
export { dispose } from "./core/dispose.js";

// Printing
export { show, repr, underscorise, formatBytes, dimsString, numberString } from "./core/show.js";

// Normalisation and dropout
export { BatchNorm, InstanceNorm, GroupNorm, LayerNorm, hasAffine } from "./layers/normalise/normalise.js";
export type { NormOptions, TrackedNormOptions, LayerNormOptions } from "./layers/normalise/normalise.js";
export { Dropout, AlphaDropout } from "./layers/normalise/dropout.js";
export { WeightNorm, removeWeightNorms } from "./layers/normalise/weight-norm.js";
export type { WeightNormOptions } from "./layers/normalise/weight-norm.js";
export type { DropoutOptions, AlphaDropoutOptions } from "./layers/normalise/dropout.js";

// Losses and one-hot encoding
export {
  mse,
  mae,
  msle,
  huberLoss,
  labelSmoothing,
  crossentropy,
  logitCrossentropy,
  binaryCrossentropy,
  logitBinaryCrossentropy,
  kldivergence,
  poissonLoss,
  hingeLoss,
  squaredHingeLoss,
  diceCoeffLoss,
  tverskyLoss,
  binaryFocalLoss,
  focalLoss,
  siameseContrastiveLoss,
} from "./losses/losses.js";
export type {
  AggOptions,
  EpsOptions,
  ClassOptions,
  HuberOptions,
  LabelSmoothingOptions,
  FocalOptions,
  CategoricalFocalOptions,
  DiceOptions,
  TverskyOptions,
  ContrastiveOptions,
} from "./losses/losses.js";
export { ctcLoss } from "./losses/ctc.js";
export type { CtcLabels } from "./losses/ctc.js";
export { xlogx, xlogy, checkSizes, EPS32 } from "./losses/loss-utils.js";
export type { Aggregation, Dims, LossInput } from "./losses/loss-utils.js";
export { onehot, onehotbatch, onecold } from "./functions/onehot.js";
export type { NestedLabels } from "./functions/onehot.js";

// Saving and loading
export { state, loadModel } from "./files/state.js";
export type { LoadModelOptions } from "./files/state.js";
export { encodeSafetensors, decodeSafetensors, MAX_HEADER_BYTES } from "./files/safetensors.js";
export type { Safetensors } from "./files/safetensors.js";
export { saveModel, loadModelFile, encodeModel, loadModelBytes, MODEL_FORMAT, MODEL_VERSION } from "./files/model-file.js";
export type { LoadModelFileOptions, SaveModelOptions } from "./files/model-file.js";

// Containers and simple layers
export { Parallel, SkipConnection, PairwiseFusion, Maxout, plus, concatFeatures } from "./layers/basic/containers.js";
export { Bilinear } from "./layers/basic/bilinear.js";
export type { BilinearOptions, BilinearSize } from "./layers/basic/bilinear.js";
export { Scale } from "./layers/basic/scale.js";
export type { ScaleOptions } from "./layers/basic/scale.js";
export { Embedding, EmbeddingBag } from "./layers/basic/embedding.js";
export type { EmbeddingOptions, Indices, BagReduction } from "./layers/basic/embedding.js";

// Recurrent layers and attention
export { RNNCell, LSTMCell, GRUCell, GRUv3Cell, initialStates } from "./layers/recurrent/cells.js";
export type { RecurrentState, RecurrentCellLike, RecurrentCellOptions } from "./layers/recurrent/cells.js";
export { Recurrence, RNN, LSTM, GRU, GRUv3 } from "./layers/recurrent/recurrence.js";
export { Stateful } from "./layers/recurrent/stateful.js";
export type { RecurrenceOptions } from "./layers/recurrent/recurrence.js";
export { MultiHeadAttention, dotProductAttention, makeCausalMask } from "./layers/attention/attention.js";
export type { AttentionOptions, MHAApplyOptions, MultiHeadAttentionOptions } from "./layers/attention/attention.js";

// Convolution, pooling, upsampling
export { Conv, ConvTranspose, CrossCor, DepthwiseConv, SamePad } from "./layers/conv/conv.js";
export type { ConvOptions, ConvTransposeOptions, CrossCorOptions, DepthwiseConvOptions, PadOption } from "./layers/conv/conv.js";
export { MaxPool, MeanPool, GlobalMaxPool, GlobalMeanPool, AdaptiveMaxPool, AdaptiveMeanPool } from "./layers/conv/pooling.js";
export type { PoolOptions } from "./layers/conv/pooling.js";
export { Upsample, PixelShuffle } from "./layers/conv/upsample.js";
export type { UpsampleMode, UpsampleOptions } from "./layers/conv/upsample.js";
export { flatten } from "./layers/basic/flatten.js";

// Output sizes and lazy input sizes
export { outputsize, autosize, lazy, stripLazy } from "./outputsize/outputsize.js";
export type { OutputSizeOptions } from "./outputsize/outputsize.js";
export { LazyLayer, registerOutputSize } from "./outputsize/engine.js";
export type { Shape, ShapeRule } from "./outputsize/engine.js";
