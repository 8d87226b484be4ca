import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import * as tfl from "@tensorflow/tfjs-layers";
import { dispose } from "../src/core/dispose.js";
import { gradient, withGradient } from "../src/autodiff/gradient.js";
import { glorotUniform } from "../src/functions/init.js";
import { relu } from "../src/functions/activations.js";
import { Rng } from "../src/functions/rng.js";
import { GRUCell, GRUv3Cell, initialStates, LSTMCell, RNNCell } from "../src/layers/recurrent/cells.js";
import { GRU, GRUv3, LSTM, Recurrence, RNN } from "../src/layers/recurrent/recurrence.js";
import { Stateful } from "../src/layers/recurrent/stateful.js";

type M = number[][];
const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());
const mat = (t: tf.Tensor): M => t.arraySync() as M;
const vec = (t: tf.Tensor): number[] => t.arraySync() as number[];
const close = (a: ArrayLike<number>, e: ArrayLike<number>, rtol = 1e-5, atol = 1e-6) => {
  expect(a.length).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i]! - e[i]!) <= atol + rtol * Math.abs(e[i]!))) throw new Error(`index ${i}: ${a[i]} vs ${e[i]}\n${Array.from(a)}\n${Array.from(e)}`);
  }
};
const seq = (shape: number[], seed: number): tf.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, (_, i) => Math.sin(seed + 1.7 * i) * 0.9), shape);
};
const rngInit = (seed: number) => {
  const rng = new Rng(seed);
  return { initKernel: glorotUniform({ rng }), initRecurrentKernel: glorotUniform({ rng }) };
};
/** Gives a bias variable non-zero values so it matters in the comparisons. */
const fillBias = (b: tf.Variable | false) => {
  if (b) tf.tidy(() => b.assign(tf.tensor1d(Array.from({ length: b.size }, (_, i) => 0.3 * Math.cos(i)))));
};

// ---- float64 references, weights in our layout: W [in, G·out], columns = gates ----
const sig = (v: number) => 1 / (1 + Math.exp(-v));
/** v·W + b for a row vector v. */
function affine(v: number[], W: M, b?: number[]): number[] {
  const cols = W[0]!.length;
  const out = new Array<number>(cols).fill(0);
  for (let j = 0; j < cols; j++) {
    let s = b ? b[j]! : 0;
    for (let i = 0; i < v.length; i++) s += v[i]! * W[i]![j]!;
    out[j] = s;
  }
  return out;
}
const add = (a: number[], b: number[]) => a.map((v, i) => v + b[i]!);
const chunk = (v: number[], n: number, k: number) => v.slice(k * (v.length / n), (k + 1) * (v.length / n));

function refRNNStep(x: number[], h: number[], Wi: M, Wh: M, b: number[] | undefined, act: (v: number) => number) {
  return add(affine(x, Wi, b), affine(h, Wh)).map(act);
}
function refLSTMStep(x: number[], [h, c]: [number[], number[]], Wi: M, Wh: M, b?: number[]): [number[], number[]] {
  const g = add(affine(x, Wi, b), affine(h, Wh));
  const [i, f, cc, o] = [0, 1, 2, 3].map((k) => chunk(g, 4, k)) as [number[], number[], number[], number[]];
  const c2 = c.map((cv, j) => sig(f[j]!) * cv + sig(i[j]!) * Math.tanh(cc[j]!));
  const h2 = c2.map((cv, j) => sig(o[j]!) * Math.tanh(cv));
  return [h2, c2];
}
function refGRUStep(x: number[], h: number[], Wi: M, Wh: M, b?: number[]) {
  const gx = affine(x, Wi, b);
  const gh = affine(h, Wh);
  const r = chunk(gx, 3, 0).map((v, j) => sig(v + chunk(gh, 3, 0)[j]!));
  const z = chunk(gx, 3, 1).map((v, j) => sig(v + chunk(gh, 3, 1)[j]!));
  const cand = chunk(gx, 3, 2).map((v, j) => Math.tanh(v + r[j]! * chunk(gh, 3, 2)[j]!));
  return cand.map((v, j) => (1 - z[j]!) * v + z[j]! * h[j]!);
}
function refGRUv3Step(x: number[], h: number[], Wi: M, Wh: M, b: number[] | undefined, Whh: M) {
  const gx = affine(x, Wi, b);
  const gh = affine(h, Wh);
  const r = chunk(gx, 3, 0).map((v, j) => sig(v + chunk(gh, 3, 0)[j]!));
  const z = chunk(gx, 3, 1).map((v, j) => sig(v + chunk(gh, 3, 1)[j]!));
  const rh = affine(r.map((v, j) => v * h[j]!), Whh);
  const cand = chunk(gx, 3, 2).map((v, j) => Math.tanh(v + rh[j]!));
  return cand.map((v, j) => (1 - z[j]!) * v + z[j]! * h[j]!);
}
/** Runs a step function over x [B][T][in] from state s0 (one per batch row); outputs [B][T][out]. */
function refScan<S>(x: number[][][], s0: S[], step: (x: number[], s: S) => S, out: (s: S) => number[]): number[][][] {
  return x.map((rows, bi) => {
    let s = s0[bi] as S;
    return rows.map((xt) => ((s = step(xt, s)), out(s)));
  });
}

describe("recurrent cells", () => {
  test("RNNCell: h′ = σ(x·Wi + h·Wh + b), returns [h′, h′], zero state by default", () => {
    const cell = new RNNCell([3, 4], undefined, rngInit(1));
    fillBias(cell.bias);
    const x = seq([2, 3], 1);
    const h = seq([2, 4], 2);
    const [y, s] = assertNoLeaks(() => cell.apply(x, h));
    expect(y).toBe(s);
    expect(y.shape).toEqual([2, 4]);
    const [Wi, Wh, b] = [mat(cell.Wi), mat(cell.Wh), vec(cell.bias as tf.Tensor)];
    const expected = mat(x).flatMap((xr, i) => refRNNStep(xr, mat(h)[i]!, Wi, Wh, b, Math.tanh));
    close(values(y), expected);
    // no state: zeros; a single vector input gives a vector
    const x1 = tf.tensor1d([0.5, -1, 2]);
    const [y1] = assertNoLeaks(() => cell.apply(x1));
    expect(y1.shape).toEqual([4]);
    close(values(y1), refRNNStep([0.5, -1, 2], [0, 0, 0, 0], Wi, Wh, b, Math.tanh));
    // a vector state broadcasts over the batch
    const [y2] = cell.apply(x, tf.zeros([4]));
    expect(y2.shape).toEqual([2, 4]);
    close(values(y2), mat(x).flatMap((xr) => refRNNStep(xr, [0, 0, 0, 0], Wi, Wh, b, Math.tanh)));
    tf.dispose([x, h, y, x1, y1, y2]);
    dispose(cell);
  });

  test("RNNCell with another σ and bias=false", () => {
    const cell = new RNNCell([2, 3], relu, { ...rngInit(2), bias: false });
    expect(cell.bias).toBe(false);
    const x = seq([4, 2], 3);
    const h = seq([4, 3], 4);
    const [y] = cell.apply(x, h);
    const expected = mat(x).flatMap((xr, i) => refRNNStep(xr, mat(h)[i]!, mat(cell.Wi), mat(cell.Wh), undefined, (v) => Math.max(v, 0)));
    close(values(y), expected);
    expect(cell.repr()).toBe("RNNCell(2 => 3, relu)");
    tf.dispose([x, h, y]);
    dispose(cell);
  });

  test("LSTMCell: gates input, forget, cell, output; returns [h′, [h′, c′]]", () => {
    const cell = new LSTMCell([3, 5], rngInit(3));
    expect(cell.Wi.shape).toEqual([3, 20]);
    expect(cell.Wh.shape).toEqual([5, 20]);
    fillBias(cell.bias);
    const x = seq([2, 3], 5);
    const h = seq([2, 5], 6);
    const c = seq([2, 5], 7);
    const [y, [h2, c2]] = assertNoLeaks(() => cell.apply(x, [h, c]));
    expect(y).toBe(h2);
    const [Wi, Wh, b] = [mat(cell.Wi), mat(cell.Wh), vec(cell.bias as tf.Tensor)];
    const ref = mat(x).map((xr, i) => refLSTMStep(xr, [mat(h)[i]!, mat(c)[i]!], Wi, Wh, b));
    close(values(h2), ref.flatMap((r) => r[0]));
    close(values(c2), ref.flatMap((r) => r[1]));
    // zero state by default
    const [y0, [, c0]] = cell.apply(x);
    const ref0 = mat(x).map((xr) => refLSTMStep(xr, [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0]], Wi, Wh, b));
    close(values(y0), ref0.flatMap((r) => r[0]));
    close(values(c0), ref0.flatMap((r) => r[1]));
    tf.dispose([x, h, c, h2, c2, y0, c0]);
    dispose(cell);
  });

  test("GRUCell: Flux's v1 formula, r multiplies h·Wh_h only (b_h outside)", () => {
    const cell = new GRUCell([3, 4], rngInit(4));
    fillBias(cell.b);
    const x = seq([3, 3], 8);
    const h = seq([3, 4], 9);
    const [y, s] = assertNoLeaks(() => cell.apply(x, h));
    expect(y).toBe(s);
    const expected = mat(x).flatMap((xr, i) => refGRUStep(xr, mat(h)[i]!, mat(cell.Wi), mat(cell.Wh), vec(cell.b as tf.Tensor)));
    close(values(y), expected);
    tf.dispose([x, h, y]);
    dispose(cell);
  });

  test("GRUv3Cell: h̃ = tanh(x·Wi_h + (r ⊙ h)·WhHtilde + b_h)", () => {
    const cell = new GRUv3Cell([3, 4], rngInit(5));
    fillBias(cell.b);
    expect(cell.WhHtilde.shape).toEqual([4, 4]);
    const x = seq([2, 3], 10);
    const h = seq([2, 4], 11);
    const [y] = assertNoLeaks(() => cell.apply(x, h));
    const expected = mat(x).flatMap((xr, i) => refGRUv3Step(xr, mat(h)[i]!, mat(cell.Wi), mat(cell.Wh), vec(cell.b as tf.Tensor), mat(cell.WhHtilde)));
    close(values(y), expected);
    tf.dispose([x, h, y]);
    dispose(cell);
  });

  test("initialStates are zero vectors", () => {
    const l = new LSTMCell([2, 3]);
    const [h, c] = initialStates(l) as tf.Tensor[];
    expect(h!.shape).toEqual([3]);
    expect(values(c!)).toEqual([0, 0, 0]);
    const g = new GRUCell([2, 3]);
    const h0 = initialStates(g) as tf.Tensor;
    expect(values(h0)).toEqual([0, 0, 0]);
    tf.dispose([h!, c!, h0]);
    dispose([l, g]);
  });

  test("printing as Flux", () => {
    const r = new RNNCell([2, 3]);
    const l = new LSTMCell([3, 5]);
    const g = new GRUCell([3, 5]);
    const g3 = new GRUv3Cell([3, 5]);
    expect(r.repr()).toBe("RNNCell(2 => 3, tanh)");
    expect(r.toString()).toBe("RNNCell(2 => 3, tanh)  # 18 parameters");
    expect(l.repr()).toBe("LSTMCell(3 => 5)");
    expect(l.toString()).toBe("LSTMCell(3 => 5)    # 180 parameters");
    expect(g.toString()).toBe("GRUCell(3 => 5)     # 135 parameters");
    // v3: 3(out·in + out² + out) + out²
    expect(g3.toString()).toBe("GRUv3Cell(3 => 5)   # 160 parameters");
    dispose([r, l, g, g3]);
  });

  test("bad input and constructor arguments", () => {
    const cell = new LSTMCell([3, 5]);
    const x = tf.zeros([2, 4]);
    expect(() => cell.apply(x)).toThrow("layer LSTMCell(3 => 5) expects size(input, -1) == 3 (features last), but got a tensor of shape [2, 4]");
    const x3 = tf.zeros([2, 1, 3]);
    expect(() => cell.apply(x3)).toThrow("expects an input of shape [in] or [batch, in], got a tensor of shape [2, 1, 3]");
    const ok = tf.zeros([2, 3]);
    const h = tf.zeros([2, 4]);
    expect(() => cell.apply(ok, h as any)).toThrow("expects the state as a pair [h, c], got a single tensor");
    expect(() => cell.apply(ok, [h, h])).toThrow("expects the state h of shape [5] or [batch, 5], got a tensor of shape [2, 4]");
    const hb = tf.zeros([3, 5]);
    expect(() => cell.apply(ok, [hb, hb])).toThrow("the input has batch size 2 but the state h has batch size 3");
    expect(() => new RNNCell([2, 0] as any)).toThrow("RNNCell: expected [in, out] (Flux's in => out) as two positive integers, got [2,0]");
    expect(() => new GRUCell([2, 3], { init: glorotUniform } as any)).toThrow("GRUCell: unknown option init; the options are initKernel, initRecurrentKernel, bias");
    expect(() => new LSTMCell([2, 3], relu as any)).toThrow("LSTMCell: takes no activation");
    tf.dispose([x, x3, ok, h, hb]);
    dispose(cell);
  });
});

describe("sequence layers against tfjs-layers", () => {
  test("RNN matches tfl.layers.simpleRNN (returnSequences) with the same weights", () => {
    const rnn = new RNN([3, 4], undefined, rngInit(11));
    fillBias(rnn.cell.bias);
    const ref = tfl.layers.simpleRNN({ units: 4, returnSequences: true, activation: "tanh" });
    const x = seq([2, 5, 3], 12);
    tf.dispose(ref.apply(x) as tf.Tensor); // builds it
    ref.setWeights([rnn.cell.Wi, rnn.cell.Wh, rnn.cell.bias as tf.Tensor]);
    const ours = assertNoLeaks(() => rnn.apply(x) as tf.Tensor);
    const theirs = ref.apply(x) as tf.Tensor;
    expect(ours.shape).toEqual([2, 5, 4]);
    close(values(ours), values(theirs), 1e-5, 1e-6);
    tf.dispose([x, ours, theirs]);
    ref.weights.forEach((w) => w.dispose());
    dispose(rnn);
  });

  test("LSTM matches tfl.layers.lstm (gate order i, f, c, o as Flux)", () => {
    const lstm = new LSTM([3, 4], rngInit(13));
    fillBias(lstm.cell.bias);
    const ref = tfl.layers.lstm({ units: 4, returnSequences: true, recurrentActivation: "sigmoid", unitForgetBias: false });
    const x = seq([2, 6, 3], 14);
    tf.dispose(ref.apply(x) as tf.Tensor);
    ref.setWeights([lstm.cell.Wi, lstm.cell.Wh, lstm.cell.bias as tf.Tensor]);
    const ours = assertNoLeaks(() => lstm.apply(x) as tf.Tensor);
    const theirs = ref.apply(x) as tf.Tensor;
    close(values(ours), values(theirs), 1e-5, 1e-6);
    tf.dispose([x, ours, theirs]);
    ref.weights.forEach((w) => w.dispose());
    dispose(lstm);
  });

  test("GRUv3 matches tfl.layers.gru (reset before; tfjs gate order z, r, h remapped)", () => {
    const gru = new GRUv3([3, 4], rngInit(15));
    fillBias(gru.cell.b);
    const n = 4;
    // ours: columns [r | z | h]; tfjs: [z | r | h], and its recurrent h-block multiplies r ⊙ h
    const [ir, iz, ih] = tf.split(gru.cell.Wi, 3, 1);
    const [hr, hz] = tf.split(gru.cell.Wh, 3, 1);
    const [br, bz, bh] = tf.split(gru.cell.b as tf.Tensor, 3, 0);
    const kernel = tf.concat([iz!, ir!, ih!], 1);
    const recurrent = tf.concat([hz!, hr!, gru.cell.WhHtilde], 1);
    const bias = tf.concat([bz!, br!, bh!], 0);
    const ref = tfl.layers.gru({ units: n, returnSequences: true, recurrentActivation: "sigmoid" });
    const x = seq([3, 5, 3], 16);
    tf.dispose(ref.apply(x) as tf.Tensor);
    ref.setWeights([kernel, recurrent, bias]);
    const ours = gru.apply(x) as tf.Tensor;
    const theirs = ref.apply(x) as tf.Tensor;
    close(values(ours), values(theirs), 1e-5, 1e-6);
    tf.dispose([ir!, iz!, ih!, hr!, hz!, br!, bz!, bh!, kernel, recurrent, bias, x, ours, theirs]);
    tf.dispose(tf.split(gru.cell.Wh, 3, 1)[2]);
    ref.weights.forEach((w) => w.dispose());
    dispose(gru);
  });

  test("GRU (Flux's reset-after-matmul form; tfjs-layers has no such GRU) matches a float64 scan", () => {
    const gru = new GRU([2, 3], rngInit(17));
    fillBias(gru.cell.b);
    const x = seq([2, 4, 2], 18);
    const h0 = seq([2, 3], 19);
    const ours = assertNoLeaks(() => gru.apply(x, h0) as tf.Tensor);
    const [Wi, Wh, b] = [mat(gru.cell.Wi), mat(gru.cell.Wh), vec(gru.cell.b as tf.Tensor)];
    const expected = refScan(x.arraySync() as number[][][], mat(h0), (xt, h) => refGRUStep(xt, h, Wi, Wh, b), (h) => h);
    close(values(ours), expected.flat(2));
    tf.dispose([x, h0, ours]);
    dispose(gru);
  });
});

describe("Recurrence", () => {
  test("scans a cell over [batch, time, in] and over a single [time, in] sequence", () => {
    const cell = new RNNCell([2, 3], undefined, rngInit(21));
    fillBias(cell.bias);
    const r = new Recurrence(cell);
    const x = seq([2, 4, 2], 22);
    const y = assertNoLeaks(() => r.apply(x) as tf.Tensor);
    expect(y.shape).toEqual([2, 4, 3]);
    const [Wi, Wh, b] = [mat(cell.Wi), mat(cell.Wh), vec(cell.bias as tf.Tensor)];
    const zeros = [[0, 0, 0], [0, 0, 0]];
    const expected = refScan(x.arraySync() as number[][][], zeros, (xt, h) => refRNNStep(xt, h, Wi, Wh, b, Math.tanh), (h) => h);
    close(values(y), expected.flat(2));
    // one sequence [time, in] → [time, out]
    const x1 = tf.tidy(() => tf.squeeze(tf.slice(x, [1, 0, 0], [1, 4, 2]), [0]));
    const y1 = r.apply(x1) as tf.Tensor;
    expect(y1.shape).toEqual([4, 3]);
    close(values(y1), expected[1]!.flat());
    tf.dispose([x, y, x1, y1]);
    dispose(r);
  });

  test("returnState gives [output, lastState]; an initial state can be passed", () => {
    const lstm = new LSTM([2, 3], { ...rngInit(23), returnState: true });
    fillBias(lstm.cell.bias);
    const x = seq([2, 3, 2], 24);
    const h0 = seq([2, 3], 25);
    const c0 = seq([2, 3], 26);
    const [y, [h, c]] = assertNoLeaks(() => lstm.apply(x, [h0, c0]));
    expect(y.shape).toEqual([2, 3, 3]);
    const [Wi, Wh, b] = [mat(lstm.cell.Wi), mat(lstm.cell.Wh), vec(lstm.cell.bias as tf.Tensor)];
    const s0: [number[], number[]][] = [0, 1].map((i) => [mat(h0)[i]!, mat(c0)[i]!]);
    const states = refScan(x.arraySync() as number[][][], s0, (xt, s) => refLSTMStep(xt, s, Wi, Wh, b), (s) => [...s[0], ...s[1]]);
    close(values(y), states.flatMap((rows) => rows.map((r) => r.slice(0, 3))).flat());
    close(values(h), states.flatMap((rows) => rows.at(-1)!.slice(0, 3)));
    close(values(c), states.flatMap((rows) => rows.at(-1)!.slice(3)));
    tf.dispose([x, h0, c0, y, h, c]);
    dispose(lstm);
  });

  test("a Recurrence of any object with apply(x, state) and initialStates()", () => {
    // a running sum: y_t = s_t = s_{t−1} + x_t
    const summer = {
      apply: (x: tf.Tensor, s: tf.Tensor): [tf.Tensor, tf.Tensor] => {
        const n = tf.add(x, s);
        return [n, n];
      },
      initialStates: () => tf.zeros([2]),
      repr: () => "Summer()",
    };
    const r = new Recurrence(summer, { returnState: true });
    const x = tf.tensor3d([[[1, 2], [3, 4], [5, 6]]]);
    const [y, last] = assertNoLeaks(() => r.apply(x));
    expect(values(y)).toEqual([1, 2, 4, 6, 9, 12]);
    expect(values(last)).toEqual([9, 12]);
    expect(r.repr()).toBe("Recurrence(Summer(); return_state=true)");
    tf.dispose([x, y, last]);
  });

  test("printing as Flux: RNN/LSTM/GRU on one line, Recurrence expanded", () => {
    const rnn = new RNN([4, 6]);
    expect(rnn.repr()).toBe("RNN(4 => 6, tanh)");
    expect(rnn.toString()).toBe("RNN(4 => 6, tanh)   # 66 parameters");
    const lstm = new LSTM([3, 5]);
    expect(lstm.toString()).toBe("LSTM(3 => 5)        # 180 parameters");
    const gru = new GRU([3, 5]);
    expect(gru.toString()).toBe("GRU(3 => 5)         # 135 parameters");
    const gru3 = new GRUv3([3, 5]);
    expect(gru3.repr()).toBe("GRUv3(3 => 5)");
    const r = new Recurrence(new RNNCell([2, 3]));
    expect(r.toString()).toBe(
      ["Recurrence(", "  RNNCell(2 => 3, tanh),                # 18 parameters", ")                   # Total: 3 arrays, 18 parameters, 72 bytes."].join("\n"),
    );
    dispose([rnn, lstm, gru, gru3, r]);
  });

  test("RNN(cell) and the RNN's only child is the cell", () => {
    const cell = new RNNCell([2, 2], relu);
    const rnn = new RNN(cell, { returnState: true });
    expect(rnn.cell).toBe(cell);
    expect(rnn.returnState).toBe(true);
    expect(rnn.repr()).toBe("RNN(2 => 2, relu)");
    const [g] = gradient((m: RNN, x: tf.Tensor) => tf.sum((m.apply(x) as tf.Tensor[])[0]!), rnn, tf.ones([1, 2, 2])) as any[];
    expect(Object.keys(g)).toEqual(["cell"]);
    tf.dispose(g);
    dispose(rnn);
  });

  test("bad input", () => {
    const rnn = new RNN([4, 6]);
    const x = tf.zeros([2, 3, 5]);
    expect(() => rnn.apply(x)).toThrow("layer RNNCell(4 => 6, tanh) expects size(input, -1) == 4 (features last), but got a tensor of shape [2, 5]");
    const x4 = tf.zeros([1, 2, 3, 4]);
    expect(() => rnn.apply(x4)).toThrow("layer RNN(4 => 6, tanh) expects a sequence of shape [batch, time, features] or [time, features], got a tensor of shape [1, 2, 3, 4]");
    const x0 = tf.zeros([2, 0, 4]);
    expect(() => rnn.apply(x0)).toThrow("the sequence has no time steps");
    expect(() => new LSTM([3, 5], { return_state: true } as any)).toThrow("LSTM: unknown option return_state");
    expect(() => new Recurrence({} as any)).toThrow("Recurrence: expected a recurrent cell");
    const before = tf.memory().numTensors;
    expect(() => rnn.apply(tf.zeros([2, 3, 5]))).toThrow();
    expect(tf.memory().numTensors - before).toBe(1); // only the test's own input
    tf.dispose([x, x4, x0]);
    dispose(rnn);
  });
});

describe("gradients through sequences (finite differences)", () => {
  /** Central difference of `loss()` in entry `i` of variable `v`. */
  const fd = (loss: () => number, v: tf.Variable, i: number, h = 1e-2): number => {
    const base = values(v);
    const at = (delta: number) => {
      const w = base.slice();
      w[i]! += delta;
      tf.tidy(() => v.assign(tf.tensor(w, v.shape)));
      return loss();
    };
    const d = (at(h) - at(-h)) / (2 * h);
    tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
    return d;
  };
  const scalar = (f: () => tf.Tensor) => {
    const t = f();
    const v = t.dataSync()[0]!;
    t.dispose();
    return v;
  };

  const cases: [string, () => RNN | LSTM | GRU | GRUv3][] = [
    ["RNN", () => new RNN([2, 3], undefined, rngInit(31))],
    ["LSTM", () => new LSTM([2, 3], rngInit(32))],
    ["GRU", () => new GRU([2, 3], rngInit(33))],
    ["GRUv3", () => new GRUv3([2, 3], rngInit(34))],
  ];
  for (const [name, make] of cases) {
    test(`${name}: parameters and input`, () => {
      const m = make();
      const cell = m.cell as any;
      fillBias(cell.bias ?? cell.b);
      const x = seq([2, 3, 2], 35);
      const w = tf.tensor3d(Array.from({ length: 18 }, (_, i) => Math.cos(i)), [2, 3, 3]);
      const loss = (model: typeof m, input: tf.Tensor) => tf.tidy(() => tf.sum(tf.mul(tf.tanh(model.apply(input) as tf.Tensor), w)));
      const [g, gx] = assertNoLeaks(() => gradient(loss, m, x)) as any[];
      const params: [string, tf.Variable][] = Object.entries(cell).filter((e): e is [string, tf.Variable] => e[1] instanceof tf.Variable);
      expect(params.length).toBe(name === "GRUv3" ? 4 : 3);
      for (const [field, v] of params) {
        const grad = values(g.cell[field]);
        for (const i of [0, Math.floor(v.size / 2), v.size - 1]) {
          const num = fd(() => scalar(() => loss(m, x)), v, i);
          expect(Math.abs(grad[i]! - num)).toBeLessThan(2e-3 + 1e-2 * Math.abs(num));
        }
      }
      // gradient in the input: nudge x[1, 2, 0]
      const xs = values(x);
      const at = (d: number) => {
        const xv = xs.slice();
        xv[1 * 6 + 2 * 2]! += d;
        const xt = tf.tensor(xv, x.shape);
        const l = scalar(() => loss(m, xt));
        xt.dispose();
        return l;
      };
      const numX = (at(1e-2) - at(-1e-2)) / 2e-2;
      expect(Math.abs(values(gx)[10]! - numX)).toBeLessThan(2e-3 + 1e-2 * Math.abs(numX));
      tf.dispose([g, gx, x, w]);
      dispose(m);
    });
  }

  test("RNN with identity σ, one unit: the gradient by hand", () => {
    // h1 = wi·x1 + b, h2 = wi·x2 + wh·h1 + b; loss = h1 + h2
    const rnn = new RNN([1, 1], (t: tf.Tensor) => t);
    tf.tidy(() => {
      rnn.cell.Wi.assign(tf.tensor2d([[0.5]]));
      rnn.cell.Wh.assign(tf.tensor2d([[0.25]]));
      (rnn.cell.bias as tf.Variable).assign(tf.tensor1d([0.1]));
    });
    const x = tf.tensor3d([[[2], [3]]]);
    const [g] = gradient((m: RNN) => tf.sum(m.apply(x) as tf.Tensor), rnn) as any[];
    const [x1, x2, wi, wh] = [2, 3, 0.5, 0.25];
    const h1 = wi * x1 + 0.1;
    // dL/dwi = x1 + x2 + wh·x1; dL/dwh = h1; dL/db = 1 + (1 + wh)
    close(values(g.cell.Wi), [x1 + x2 + wh * x1]);
    close(values(g.cell.Wh), [h1]);
    close(values(g.cell.bias), [2 + wh]);
    tf.dispose([g, x]);
    dispose(rnn);
  });
});

describe("Stateful", () => {
  test("stepping a wrapped cell equals scanning the sequence; reset() restarts from zeros", () => {
    const cell = new LSTMCell([2, 3], rngInit(41));
    fillBias(cell.bias);
    const s = new Stateful(cell);
    const x = seq([2, 4, 2], 42);
    const full = new LSTM(cell).apply(x) as tf.Tensor;
    const steps = tf.unstack(x, 1);
    const ys = steps.map((xt) => assertNoLeaks(() => s.apply(xt)));
    const y = tf.stack(ys, 1);
    close(values(y), values(full));
    s.reset();
    const again = s.apply(steps[0]!);
    close(values(again), values(ys[0]!));
    tf.dispose([x, full, ...steps, ...ys, y, again]);
    dispose(s);
  });

  test("wrapping a Recurrence continues across chunks of a sequence; an initial state is copied", () => {
    const rnn = new RNN([2, 3], undefined, rngInit(43));
    const h0 = seq([2, 3], 44);
    const s = new Stateful(rnn, h0);
    const x = seq([2, 6, 2], 45);
    const full = rnn.apply(x, h0) as tf.Tensor;
    const [a, b] = tf.split(x, [4, 2], 1);
    const ya = s.apply(a!);
    const yb = s.apply(b!);
    const y = tf.concat([ya, yb], 1);
    close(values(y), values(full));
    tf.dispose(h0); // the wrapper holds its own copy
    s.reset();
    const ya2 = s.apply(a!);
    close(values(ya2), values(ya));
    expect(s.repr()).toBe("Stateful(RNN(2 => 3, tanh))");
    tf.dispose([x, full, a!, b!, ya, yb, y, ya2]);
    dispose(s);
  });

  test("memory stays flat over many calls", () => {
    const s = new Stateful(new GRUCell([2, 3]));
    const x = tf.ones([4, 2]);
    tf.dispose(s.apply(x));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) tf.dispose(s.apply(x));
    for (let i = 0; i < 5; i++) {
      const { val, grad } = withGradient((m: Stateful) => tf.add(tf.sum(m.apply(x)), tf.sum(m.apply(x))), s);
      tf.dispose([val, grad as any]);
    }
    s.reset();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    dispose(s);
  });

  test("within one gradient call the gradient flows through the carried state", () => {
    const cell = new RNNCell([2, 3], undefined, rngInit(46));
    const s = new Stateful(cell);
    const x = seq([2, 2, 2], 47);
    const [x1, x2] = tf.unstack(x, 1);
    const loss = (m: Stateful) => tf.add(tf.sum(m.apply(x1!)), tf.sum(tf.square(m.apply(x2!))));
    const [g] = assertNoLeaks(() => gradient(loss, s)) as any[];
    expect(g.state).toBeNull();
    const rec = new Recurrence(cell);
    const [gr] = gradient((r: Recurrence) => {
      const y = r.apply(x) as tf.Tensor;
      const [y1, y2] = tf.unstack(y, 1);
      return tf.add(tf.sum(y1!), tf.sum(tf.square(y2!)));
    }, rec) as any[];
    for (const f of ["Wi", "Wh", "bias"]) close(values(g.cell[f]), values(gr.cell[f]), 1e-5, 1e-6);
    // the next gradient call starts from the stored state as a constant (truncated BPTT)
    const h2 = tf.clone(s.state as tf.Tensor);
    const [g2] = assertNoLeaks(() => gradient((m: Stateful) => tf.sum(m.apply(x1!)), s)) as any[];
    expect(g2.state).toBeNull();
    const [gc] = gradient((c: RNNCell) => tf.sum(c.apply(x1!, h2)[0]), cell) as any[];
    for (const f of ["Wi", "Wh", "bias"]) close(values(g2.cell[f]), values(gc[f]), 1e-5, 1e-6);
    tf.dispose([g, gr, g2, gc, h2, x, x1!, x2!]);
    dispose(s);
  });

  test("printing and errors", () => {
    const s = new Stateful(new RNNCell([2, 3]));
    expect(s.toString()).toBe(
      [
        "Stateful(",
        "  RNNCell(2 => 3, tanh),                # 18 parameters",
        ")         # Total: 3 trainable arrays, 18 parameters,",
        "          # plus 1 non-trainable, 3 parameters, summarysize 84 bytes.",
      ].join("\n"),
    );
    expect(() => new Stateful(tf.zeros([2]) as any)).toThrow("Stateful: expected a recurrent cell or a Recurrence");
    expect(() => new Stateful(s.cell, [1, 2] as any)).toThrow("Stateful: the initial state must be a tensor");
    dispose(s);
  });
});

test("Recurrence never hands back (or disposes) the caller's state tensors", () => {
  // a cell that passes its second state entry through unchanged
  const cell = {
    apply: (x: tf.Tensor, [h, c]: [tf.Tensor, tf.Tensor]): [tf.Tensor, [tf.Tensor, tf.Tensor]] => {
      const n = tf.add(h, x);
      return [n, [n, c]];
    },
    initialStates: (): [tf.Tensor, tf.Tensor] => [tf.zeros([2]), tf.zeros([2])],
    repr: () => "PassThrough()",
  };
  const r = new Recurrence(cell);
  const x = tf.ones([1, 3, 2]);
  const c = tf.tensor1d([7, 8]);
  const h = tf.zeros([2]);
  const y = assertNoLeaks(() => r.apply(x, [h, c]) as tf.Tensor);
  expect(c.isDisposed).toBe(false);
  expect(values(y)).toEqual([1, 1, 2, 2, 3, 3]);
  r.returnState = true;
  const [y2, [, c2]] = r.apply(x, [h, c]);
  expect(c2).not.toBe(c);
  expect(values(c2)).toEqual([7, 8]);
  tf.dispose([x, c, h, y, y2, c2]);
});
