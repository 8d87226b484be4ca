// Flux's MultiHeadAttention and NNlib's dot_product_attention, batch-first: q [batch…, lenQ, feat],
// k and v [batch…, lenK, feat]; scores α [batch…, nheads, lenQ, lenK] (Flux's α is
// (kv_len, q_len, nheads, batch), the reverse order). Head h uses features h·d … (h+1)·d − 1 of the
// projections, as NNlib's reshape to (d, nheads, …) does.
import { tf } from "@fluxion/backend";
import { layer } from "../../core/declare.js";
import { Dense } from "../basic/dense.js";
import { Dropout } from "../normalise/dropout.js";
import { glorotUniform, type Initialiser } from "../../functions/init.js";
import { call, Layer, type Callable } from "../../core/layer.js";
import { numberString } from "../../core/show.js";
import { allocate } from "../../core/params.js";
import { checkFeatures, checkOptions, checkTensor } from "../../core/checks.js";

/** Options of `dotProductAttention`. */
export interface AttentionOptions {
  /** Number of heads (default 1 for dotProductAttention). */
  nheads?: number;
  /**
   * Which scores to keep (true) — broadcastable to [batch…, nheads, lenQ, lenK]; e.g.
   * `makeCausalMask(len)` [lenQ, lenK]. Numeric masks count non-zero as true. Masked scores get
   * −∞ before the softmax, so a query with every key masked gives NaN, as in NNlib.
   */
  mask?: tf.Tensor | null;
  /** Applied to the attention scores after the softmax (NNlib's `fdrop`), e.g. a Dropout. */
  fdrop?: Callable;
}

/** Options of `MultiHeadAttention.apply`. */
export interface MHAApplyOptions {
  mask?: tf.Tensor | null;
  /** An additive bias for the logits, broadcastable to [batch…, nheads, lenQ, lenK]. */
  bias?: tf.Tensor | null;
}

const shapeString = (t: tf.Tensor) => `[${t.shape.join(", ")}]`;

/**
 * NNlib's `dot_product_attention(q, k, v, [bias]; nheads = 1, mask, fdrop)`: splits the features into
 * `nheads` heads, computes α = softmax(q·kᵀ/√d + bias, masked) over the keys for each head, and
 * returns [y, α] with y = α·v heads concatenated: q [batch…, lenQ, qk], k [batch…, lenK, qk],
 * v [batch…, lenK, vdim] → y [batch…, lenQ, vdim], α [batch…, nheads, lenQ, lenK].
 */
export function dotProductAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, options?: AttentionOptions): [tf.Tensor, tf.Tensor];
export function dotProductAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, bias: tf.Tensor | null, options?: AttentionOptions): [tf.Tensor, tf.Tensor];
export function dotProductAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  a?: tf.Tensor | null | AttentionOptions,
  b?: AttentionOptions,
): [tf.Tensor, tf.Tensor] {
  const bias = a instanceof tf.Tensor ? a : null;
  const options = (a instanceof tf.Tensor || a === null ? b : a) ?? {};
  checkOptions("dotProductAttention", options, ["nheads", "mask", "fdrop"]);
  const nheads = options.nheads ?? 1;
  const what = "dotProductAttention";
  for (const [name, t] of [["q", q], ["k", k], ["v", v]] as const) {
    if (!(t instanceof tf.Tensor) || t.rank < 2) {
      throw new Error(`${what}: ${name} must be a tensor [batch…, length, features] of rank ≥ 2, got ${t instanceof tf.Tensor ? `shape ${shapeString(t)}` : typeof t}`);
    }
  }
  const batch = q.shape.slice(0, -2);
  if (!tf.util.arraysEqual(k.shape.slice(0, -2), batch) || !tf.util.arraysEqual(v.shape.slice(0, -2), batch)) {
    throw new Error(`${what}: q, k and v must have the same batch dimensions, got shapes ${shapeString(q)}, ${shapeString(k)}, ${shapeString(v)}`);
  }
  const [lenQ, qk] = q.shape.slice(-2) as [number, number];
  const [lenK, kk] = k.shape.slice(-2) as [number, number];
  const [lenV, vdim] = v.shape.slice(-2) as [number, number];
  if (kk !== qk) throw new Error(`${what}: q and k must have the same number of features, got ${qk} and ${kk}`);
  if (lenV !== lenK) throw new Error(`${what}: k and v must have the same length, got ${lenK} and ${lenV}`);
  if (!Number.isInteger(nheads) || nheads < 1 || qk % nheads !== 0 || vdim % nheads !== 0) {
    throw new Error(`${what}: nheads = ${nheads} must be a positive integer dividing the features of q/k (${qk}) and of v (${vdim})`);
  }
  return tf.tidy(() => {
    const nb = batch.reduce((x, y) => x * y, 1);
    // [batch…, len, nheads·d] → [nb, nheads, len, d]
    const heads = (t: tf.Tensor, len: number, dim: number) => tf.transpose(tf.reshape(t, [nb, len, nheads, dim / nheads]), [0, 2, 1, 3]);
    const d = qk / nheads;
    const qh = tf.mul(heads(q, lenQ, qk), 1 / Math.sqrt(d));
    const kh = heads(k, lenK, qk);
    const vh = heads(v, lenK, vdim);
    const full = [...batch, nheads, lenQ, lenK];
    let logits = tf.matMul(qh, kh, false, true); // [nb, nheads, lenQ, lenK]
    if (bias) logits = tf.reshape(tf.add(tf.reshape(logits, full), bias), logits.shape);
    if (options.mask) {
      // Masked at rank 4 whatever the batch dims: tfjs-backend-webgl has no `where` above rank 4.
      const m = options.mask.dtype === "bool" ? options.mask : tf.notEqual(options.mask, 0);
      logits = tf.where(tf.reshape(tf.broadcastTo(m, full), logits.shape), logits, tf.fill(logits.shape, -Infinity));
    }
    let alpha = tf.reshape(tf.softmax(logits, -1), full);
    if (options.fdrop) alpha = call(options.fdrop, alpha) as tf.Tensor;
    const y = tf.matMul(tf.reshape(alpha, [nb, nheads, lenQ, lenK]), vh); // [nb, nheads, lenQ, dv]
    const out = tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [...batch, lenQ, vdim]);
    return [out, alpha] as [tf.Tensor, tf.Tensor];
  });
}

/**
 * NNlib's `make_causal_mask`: a bool [len, len] mask, true where key ≤ query, so each position
 * attends to itself and earlier ones. Give the length, or a sequence [batch…, len, features].
 */
export function makeCausalMask(x: number | tf.Tensor): tf.Tensor {
  const len = x instanceof tf.Tensor ? x.shape.at(-2) : x;
  if (typeof len !== "number" || !Number.isInteger(len) || len < 0) {
    throw new Error(`makeCausalMask: expected a length or a sequence [batch…, len, features], got ${x instanceof tf.Tensor ? `shape ${shapeString(x)}` : String(x)}`);
  }
  const data = new Uint8Array(len * len);
  for (let i = 0; i < len; i++) for (let j = 0; j <= i; j++) data[i * len + j] = 1;
  return tf.tensor(data, [len, len], "bool");
}

/** `dims` of MultiHeadAttention: all six sizes. */
interface MHADims {
  qIn: number;
  kIn: number;
  vIn: number;
  qk: number;
  v: number;
  out: number;
}

function normaliseDims(dims: unknown): MHADims {
  const pos = (n: unknown) => Number.isInteger(n) && (n as number) > 0;
  const bad = () =>
    new Error(
      `MultiHeadAttention: dims must be a positive integer, [in, qkv, out], [in, [qk, v], out] or [[qIn, kIn, vIn], [qk, v], out] (Flux's in => (qk, v) => out), got ${JSON.stringify(dims)}`,
    );
  if (pos(dims)) {
    const n = dims as number;
    return { qIn: n, kIn: n, vIn: n, qk: n, v: n, out: n };
  }
  if (!Array.isArray(dims) || dims.length !== 3) throw bad();
  const [i, m, out] = dims as unknown[];
  let qIn: number, kIn: number, vIn: number, qk: number, v: number;
  if (pos(i)) qIn = kIn = vIn = i as number;
  else if (Array.isArray(i) && i.length === 3 && i.every(pos)) [qIn, kIn, vIn] = i as [number, number, number];
  else throw bad();
  if (pos(m)) qk = v = m as number;
  else if (Array.isArray(m) && m.length === 2 && m.every(pos)) [qk, v] = m as [number, number];
  else throw bad();
  if (!pos(out)) throw bad();
  return { qIn, kIn, vIn, qk, v, out: out as number };
}

/** Options of `MultiHeadAttention`; defaults in its description. */
export interface MultiHeadAttentionOptions {
  nheads?: number;
  /** Whether the four projections have a bias (default false). */
  bias?: boolean;
  init?: Initialiser;
  /** Dropout probability for the attention scores (default 0). */
  dropoutProb?: number;
}

/**
 * `new MultiHeadAttention(dims, { nheads = 8, bias = false, init = glorotUniform, dropoutProb = 0 })`,
 * dims one of `n`, `[in, qkv, out]`, `[in, [qk, v], out]`, `[[qIn, kIn, vIn], [qk, v], out]`.
 * `apply(q, k = q, v = k, { mask, bias })` returns [y, α]: q [batch…, lenQ, qIn], k [batch…, lenK, kIn],
 * v [batch…, lenK, vIn] → y [batch…, lenQ, out] and the scores α [batch…, nheads, lenQ, lenK]
 * (Flux: (kv_len, q_len, nheads, batch)).
 */
export class MultiHeadAttention extends Layer {
  nheads: number;
  qProj: Dense;
  kProj: Dense;
  vProj: Dense;
  attnDrop: Dropout;
  outProj: Dense;

  constructor(dims: number | readonly unknown[], options: MultiHeadAttentionOptions = {}) {
    super();
    checkOptions("MultiHeadAttention", options, ["nheads", "bias", "init", "dropoutProb"]);
    const d = normaliseDims(dims);
    const { nheads = 8, bias = false, init = glorotUniform, dropoutProb = 0 } = options;
    if (!Number.isInteger(nheads) || nheads < 1) throw new Error(`MultiHeadAttention: nheads must be a positive integer, got ${nheads}`);
    if (d.qk % nheads !== 0) throw new Error(`MultiHeadAttention: qk_dim should be divisible by nheads, got qk_dim = ${d.qk}, nheads = ${nheads}`);
    if (d.v % nheads !== 0) throw new Error(`MultiHeadAttention: v_dim should be divisible by nheads, got v_dim = ${d.v}, nheads = ${nheads}`);
    if (typeof bias !== "boolean") throw new Error(`MultiHeadAttention: bias must be true or false, got ${typeof bias}`);
    const attnDrop = new Dropout(dropoutProb); // checks p before any weight is made
    this.nheads = nheads;
    // init is user code: if it fails for one projection, the ones made before are disposed.
    [this.qProj, this.kProj, this.vProj, this.outProj] = allocate(
      () => new Dense([d.qIn, d.qk], undefined, { bias, init }),
      () => new Dense([d.kIn, d.qk], undefined, { bias, init }),
      () => new Dense([d.vIn, d.v], undefined, { bias, init }),
      () => new Dense([d.v, d.out], undefined, { bias, init }),
    );
    this.attnDrop = attnDrop;
  }

  apply(q: tf.Tensor, ...rest: (tf.Tensor | MHAApplyOptions | undefined)[]): [tf.Tensor, tf.Tensor] {
    const tensors = rest.filter((r): r is tf.Tensor => r instanceof tf.Tensor);
    const last = rest.at(-1);
    const options: MHAApplyOptions = last !== undefined && !(last instanceof tf.Tensor) ? last : {};
    if (tensors.length > 2 || rest.slice(0, tensors.length).some((r) => !(r instanceof tf.Tensor)) || rest.length > tensors.length + 1) {
      throw new Error(`layer ${this.repr()}: call it as apply(q), apply(q, kv), apply(q, k, v), each optionally followed by { mask, bias }`);
    }
    checkOptions(`layer ${this.repr()}`, options, ["mask", "bias"]);
    const k = tensors[0] ?? q;
    const v = tensors[1] ?? k;
    for (const [t, proj] of [[q, this.qProj], [k, this.kProj], [v, this.vProj]] as const) {
      checkTensor(this, t);
      checkFeatures(this, t, proj.weight.shape[0]!, 2);
    }
    if (k.shape.at(-2) !== v.shape.at(-2)) {
      throw new Error(`layer ${this.repr()}: the keys and values must have the same length, got shapes [${k.shape.join(", ")}] and [${v.shape.join(", ")}]`);
    }
    return tf.tidy(() => {
      const [x, alpha] = dotProductAttention(this.qProj.apply(q), this.kProj.apply(k), this.vProj.apply(v), options.bias ?? null, {
        nheads: this.nheads,
        mask: options.mask ?? null,
        fdrop: this.attnDrop,
      });
      return [this.outProj.apply(x), alpha] as [tf.Tensor, tf.Tensor];
    });
  }

  repr(): string {
    const [qIn, qk] = this.qProj.weight.shape as [number, number];
    const kIn = this.kProj.weight.shape[0]!;
    const [vIn, v] = this.vProj.weight.shape as [number, number];
    const out = this.outProj.weight.shape[1]!;
    let dims: string;
    if (qIn === kIn && kIn === vIn && vIn === qk && qk === v && v === out) dims = `${qIn}`;
    else if (qIn === kIn && kIn === vIn && qk === v) dims = `${qIn} => ${qk} => ${out}`;
    else if (qIn === kIn && kIn === vIn) dims = `${qIn} => (${qk}, ${v}) => ${out}`;
    else dims = `(${qIn}, ${kIn}, ${vIn}) => (${qk}, ${v}) => ${out}`;
    const bias = this.qProj.bias === false ? "" : ", bias=true";
    const drop = this.attnDrop.p === 0 ? "" : `, dropout_prob=${numberString(this.attnDrop.p)}`;
    return `MultiHeadAttention(${dims}; nheads=${this.nheads}${bias}${drop})`;
  }
}
layer(MultiHeadAttention, { fields: ["nheads", "qProj", "kProj", "vProj", "attnDrop", "outProj"], show: "noexpand" });
