import { Adam, Descent, Momentum, OptimiserChain, destructure, setup, tf, updateInPlace, type Rule } from "fluxion";

/** Fits y = 3x₁ − 2x₂ + 0.5 with a linear model, then races a few rules on the Rosenbrock valley. */
export function optimisersTour(): void {
  console.log("\n== linear regression with Adam (setup / updateInPlace) ==");
  const xs = tf.randomUniform([256, 2], -1, 1, "float32", 7);
  const ys = tf.tidy(() => tf.add(tf.matMul(xs, tf.tensor2d([[3], [-2]])), 0.5));
  const model = { weight: tf.variable(tf.zeros([2, 1]), true, "weight"), bias: tf.variable(tf.zeros([1]), true, "bias") };
  const loss = (w: tf.Tensor, b: tf.Tensor) => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(xs, w), b), ys))) as tf.Scalar;
  const tree = setup(new Adam(0.05), model);
  const start = tf.memory().numTensors;
  for (let step = 1; step <= 300; step++) {
    const { value, grads } = tf.tidy(() => {
      const vg = tf.valueAndGrads(loss)([model.weight, model.bias]);
      return { value: vg.value, grads: { weight: vg.grads[0]!, bias: vg.grads[1]! } };
    });
    updateInPlace(tree, model, grads);
    if (step % 100 === 0) console.log(`step ${step}: loss ${value.dataSync()[0]!.toExponential(3)}`);
    tf.dispose([value, grads.weight, grads.bias]);
  }
  console.log(`learned weight ${fmt(model.weight)}, bias ${fmt(model.bias)} (true: [3, -2], 0.5)`);
  console.log(`tensors alive after 300 steps: ${tf.memory().numTensors - start} more than at the start`);
  const [flat, re] = destructure(model);
  console.log(`destructure: ${flat.size} numbers ${fmt(flat)}, ${re.toString()}`);

  console.log("\n== Rosenbrock: f(a, b) = (1 − a)² + 100 (b − a²)², from (−1.2, 1), 2000 steps ==");
  const rules: [string, Rule][] = [
    ["Descent(0.001)", new Descent(0.001)],
    ["Momentum(0.001, 0.9)", new Momentum(0.001, 0.9)],
    ["Adam(0.02)", new Adam(0.02)],
    ["OptimiserChain(Adam(0.02), Descent(0.5))", new OptimiserChain(new Adam(0.02), new Descent(0.5))],
  ];
  for (const [name, rule] of rules) {
    const p = { ab: tf.variable(tf.tensor1d([-1.2, 1])) };
    const t = setup(rule, p);
    const rosen = (v: tf.Tensor) => {
      const [a, b] = tf.split(v, 2);
      return tf.sum(tf.add(tf.square(tf.sub(1, a!)), tf.mul(100, tf.square(tf.sub(b!, tf.square(a!)))))) as tf.Scalar;
    };
    for (let i = 0; i < 2000; i++) {
      const g = tf.grad(rosen)(p.ab);
      updateInPlace(t, p, { ab: g });
      g.dispose();
    }
    const f = tf.tidy(() => rosen(p.ab).dataSync()[0]!);
    console.log(`${name.padEnd(42)} → (a, b) = ${fmt(p.ab)}, f = ${f.toExponential(2)}`);
    p.ab.dispose();
  }
  tf.dispose([xs, ys, model.weight, model.bias, flat]);
}

function fmt(t: tf.Tensor): string {
  return `[${Array.from(t.dataSync(), (v) => v.toFixed(3)).join(", ")}]`;
}
