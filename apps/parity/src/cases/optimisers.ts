// Every optimiser rule, several steps on a small model whose gradients depend on the parameters
// (a quadratic pull towards a target plus seeded noise), so each step feeds the next.
import { tf } from "@fluxion/backend";
import {
  AccumGrad, AdaBelief, AdaDelta, AdaGrad, AdaMax, Adam, AdamW, AMSGrad, ClipGrad, ClipNorm, Descent, ExpDecay,
  InvDecay, Lion, Momentum, NAdam, Nesterov, OAdam, OptimiserChain, RAdam, RMSProp, Rprop, SignDecay, WeightDecay,
  adjust, freeze, setup, update, type Rule, type StateTree,
} from "@fluxion/optimisers";
import type { Outputs, ParityCase } from "../case.js";
import { collectTensors, randn } from "./tensors.js";

const STEPS = 6;

function model(): { w: tf.Tensor; b: tf.Tensor } {
  return { w: randn([4, 3], 1), b: randn([3], 2, 0.5) };
}

/** d/dp of ½‖p − target‖² plus noise: 2-D and 1-D gradients that change with the parameters. */
function gradients(m: { w: tf.Tensor; b: tf.Tensor }, step: number): { w: tf.Tensor; b: tf.Tensor } {
  return tf.tidy(() => {
    const tw = randn([4, 3], 100, 0.3);
    const tb = randn([3], 101, 0.3);
    return {
      w: tf.add(tf.sub(m.w, tw), randn([4, 3], 200 + step, 0.1)),
      b: tf.add(tf.sub(m.b, tb), randn([3], 300 + step, 0.1)),
    };
  });
}

/** Runs `steps` of `update` and returns the final parameters and every state tensor. */
function optimise(rule: Rule, steps = STEPS, between?: (tree: StateTree, step: number) => StateTree): Outputs {
  let m = model();
  let tree = setup(rule, m);
  for (let step = 0; step < steps; step++) {
    const g = gradients(m, step);
    const [nextTree, next] = update(tree, m, g);
    const newTree = between ? between(nextTree, step) : nextTree;
    // update leaves unchanged parameters (frozen, or AccumGrad between flushes) as the same tensors.
    const keep = new Set([...Object.values(collectTensors(next, "m")), ...Object.values(collectTensors(newTree, "s"))]);
    const old = [g.w, g.b, m.w, m.b, ...Object.values(collectTensors(tree, "s"))];
    if (newTree !== nextTree) old.push(...Object.values(collectTensors(nextTree, "s"))); // adjust returned a copy
    tf.dispose(old.filter((t) => !keep.has(t)));
    tree = newTree;
    m = next as { w: tf.Tensor; b: tf.Tensor };
  }
  const out: Outputs = { w: m.w, b: m.b, ...collectTensors(tree, "state") };
  return out;
}

const rules: [string, () => Rule][] = [
  ["Descent", () => new Descent(0.1)],
  ["Momentum", () => new Momentum(0.05, 0.9)],
  ["Nesterov", () => new Nesterov(0.05, 0.9)],
  ["Rprop", () => new Rprop(0.01)],
  ["RMSProp", () => new RMSProp(0.01)],
  ["RMSProp centred", () => new RMSProp({ eta: 0.01, centred: true })],
  ["Adam", () => new Adam(0.01)],
  ["RAdam", () => new RAdam(0.01)],
  ["AdaMax", () => new AdaMax(0.01)],
  ["OAdam", () => new OAdam(0.01)],
  ["AdaGrad", () => new AdaGrad(0.1)],
  ["AdaDelta", () => new AdaDelta(0.9)],
  ["AMSGrad", () => new AMSGrad(0.01)],
  ["NAdam", () => new NAdam(0.01)],
  ["AdamW", () => new AdamW({ eta: 0.01, lambda: 0.1 })],
  ["AdamW decoupled", () => new AdamW({ eta: 0.01, lambda: 0.01, couple: false })],
  ["AdaBelief", () => new AdaBelief(0.01)],
  ["Lion", () => new Lion(0.01)],
  ["WeightDecay", () => new WeightDecay(0.1)],
  ["SignDecay", () => new SignDecay(0.05)],
  ["ClipGrad", () => new ClipGrad(0.3)],
  ["ClipNorm", () => new ClipNorm(0.5)],
  ["ClipNorm p=1", () => new ClipNorm({ omega: 0.5, p: 1 })],
  ["ClipNorm p=Inf", () => new ClipNorm({ omega: 0.2, p: Infinity })],
  ["ExpDecay", () => new ExpDecay({ eta: 0.1, decay: 0.5, decayStep: 2 })],
  ["InvDecay", () => new InvDecay(0.5)],
  ["OptimiserChain(ClipNorm, WeightDecay, Adam)", () => new OptimiserChain(new ClipNorm(1), new WeightDecay(0.01), new Adam(0.01))],
  ["AccumGrad(3) then Descent", () => new OptimiserChain(new AccumGrad(3), new Descent(0.1))],
];

const plain: ParityCase[] = rules.map(([name, make]) => ({ group: "optimisers", name, run: () => optimise(make()) }));

export const optimiserCases: ParityCase[] = [
  ...plain,
  {
    group: "optimisers",
    name: "Adam with adjust (eta and beta changed after step 3)",
    run: () => optimise(new Adam(0.01), STEPS, (tree, step) => (step === 2 ? adjust(tree, { eta: 0.05, beta: [0.8, 0.99] }) : tree)),
  },
  {
    group: "optimisers",
    name: "Momentum with b frozen",
    run: () => optimise(new Momentum(0.05, 0.9), STEPS, (tree, step) => {
      if (step === 0) freeze((tree as unknown as Record<string, StateTree>).b!);
      return tree;
    }),
  },
];
