import { fcollect, fleaves, fmap, fmapWithPath, registerFunctor, tf } from "fluxion";

class Dense {
  constructor(
    public weight: tf.Tensor,
    public bias: tf.Tensor,
    public activation: string,
  ) {}
}
registerFunctor(Dense, ["weight", "bias"]);

/** A model with a tied weight, walked and mapped by @fluxion/functors. */
export function functorsTour(): void {
  const w = tf.tensor2d([[1, 2], [3, 4]]);
  const model = { encoder: new Dense(w, tf.zeros([2]), "relu"), decoder: new Dense(w, tf.ones([2]), "identity") };

  console.log(`backend: ${tf.getBackend()}`);
  console.log(`leaves (repeats included): ${fleaves(model).length}`);
  console.log(`distinct nodes: ${fcollect(model).length}`);
  fmapWithPath((kp, x) => console.log(`  ${kp.toString({ compact: true })}: ${x instanceof tf.Tensor ? `tensor [${x.shape}]` : x}`), model);

  const before = tf.memory().numTensors;
  const doubled = fmap((x) => (x instanceof tf.Tensor ? tf.mul(x, 2) : x), model);
  console.log(`fmap(x -> 2x) made ${tf.memory().numTensors - before} new tensors for 4 tensor leaves (the tied weight once)`);
  console.log(`tie kept: ${doubled.encoder.weight === doubled.decoder.weight}, class kept: ${doubled.encoder instanceof Dense}`);
  console.log(`2 * weight = ${JSON.stringify(doubled.encoder.weight.arraySync())}`);
  tf.dispose([w, model.encoder.bias, model.decoder.bias, doubled.encoder.weight, doubled.encoder.bias, doubled.decoder.bias]);
}
