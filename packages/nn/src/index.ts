// Layers
export { Layer, call } from "./layer.js";
export type { Callable } from "./layer.js";
export { layer, showModeOf } from "./declare.js";
export type { LayerDeclaration, ShowMode } from "./declare.js";
export { Dense, checkPair } from "./dense.js";
export type { DenseOptions } from "./dense.js";
export { Chain } from "./chain.js";
export { createBias, param } from "./params.js";
export type { BiasOption } from "./params.js";
export { checkFeatures } from "./size-check.js";

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
  activationName,
  setActivationName,
} from "./activations.js";
export type { Activation } from "./activations.js";
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
} from "./init.js";
export type { Initialiser, InitOptions, TruncatedNormalOptions, SparseInitOptions } from "./init.js";
export { Rng, defaultRng, seedRandom } from "./rng.js";

// Gradients, modules, modes
export { gradient, withGradient, hessian, withinGradient } from "./gradient.js";
export type { GradTree, WithGradient } from "./gradient.js";
export { modules, testMode, trainMode, isActive } from "./modules.js";
export type { HasMode } from "./modules.js";
export { dispose } from "./dispose.js";

// Printing
export { show, repr, underscorise, formatBytes, dimsString, numberString } from "./show.js";

// Normalisation and dropout
export { BatchNorm, InstanceNorm, GroupNorm, LayerNorm, hasAffine } from "./normalise.js";
export type { NormOptions, TrackedNormOptions, LayerNormOptions } from "./normalise.js";
export { Dropout, AlphaDropout } from "./dropout.js";
export type { DropoutOptions, AlphaDropoutOptions } from "./dropout.js";

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
} from "./losses.js";
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
} from "./losses.js";
export { xlogx, xlogy, checkSizes, EPS32 } from "./loss-utils.js";
export type { Aggregation, Dims, LossInput } from "./loss-utils.js";
export { onehot, onehotbatch, onecold } from "./onehot.js";
export type { NestedLabels } from "./onehot.js";

// Saving and loading
export { state, loadModel } from "./state.js";
export type { LoadModelOptions } from "./state.js";
export { encodeSafetensors, decodeSafetensors, MAX_HEADER_BYTES } from "./safetensors.js";
export type { Safetensors } from "./safetensors.js";
export { saveModel, loadModelFile, encodeModel, loadModelBytes, MODEL_FORMAT, MODEL_VERSION } from "./model-file.js";
export type { SaveModelOptions } from "./model-file.js";

// Containers and simple layers
export { Parallel, SkipConnection, PairwiseFusion, Maxout, plus, concatFeatures } from "./containers.js";
export { Bilinear } from "./bilinear.js";
export type { BilinearOptions, BilinearSize } from "./bilinear.js";
export { Scale } from "./scale.js";
export type { ScaleOptions } from "./scale.js";
export { Embedding, EmbeddingBag } from "./embedding.js";
export type { EmbeddingOptions, Indices, BagReduction } from "./embedding.js";

// Recurrent layers and attention
export { RNNCell, LSTMCell, GRUCell, GRUv3Cell, initialStates } from "./recurrent-cells.js";
export type { RecurrentState, RecurrentCellLike, RecurrentCellOptions } from "./recurrent-cells.js";
export { Recurrence, RNN, LSTM, GRU, GRUv3, Stateful } from "./recurrence.js";
export type { RecurrenceOptions } from "./recurrence.js";
export { MultiHeadAttention, dotProductAttention, makeCausalMask } from "./attention.js";
export type { AttentionOptions, MHAApplyOptions, MultiHeadAttentionOptions } from "./attention.js";

// Convolution, pooling, upsampling
export { Conv, ConvTranspose, CrossCor, DepthwiseConv, SamePad } from "./conv.js";
export type { ConvOptions, ConvTransposeOptions, CrossCorOptions, DepthwiseConvOptions, PadOption } from "./conv.js";
export { MaxPool, MeanPool, GlobalMaxPool, GlobalMeanPool, AdaptiveMaxPool, AdaptiveMeanPool } from "./pooling.js";
export type { PoolOptions } from "./pooling.js";
export { Upsample, PixelShuffle } from "./upsample.js";
export type { UpsampleMode, UpsampleOptions } from "./upsample.js";
export { flatten } from "./flatten.js";
