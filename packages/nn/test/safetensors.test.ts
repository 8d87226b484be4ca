import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdtemp, mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tf } from "@fluxion/backend";
import { assertNoLeaks, liveTensors } from "@fluxion/backend/testing";
import { Chain } from "../src/layers/basic/chain.js";
import { layer } from "../src/core/declare.js";
import { Dense } from "../src/layers/basic/dense.js";
import { dispose } from "../src/core/dispose.js";
import { ones32 } from "../src/functions/init.js";
import { Layer } from "../src/core/layer.js";
import { encodeModel, loadModelBytes, loadModelFile, saveModel } from "../src/files/model-file.js";
import { param } from "../src/core/params.js";
import { decodeSafetensors, encodeSafetensors } from "../src/files/safetensors.js";
import { tanh } from "../src/functions/activations.js";

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

/** A safetensors file written by hand: u64 LE header length, the header text as given, the data bytes. */
function handFile(header: string, data: number[] = [], headerLength = header.length): Uint8Array {
  const out = new Uint8Array(8 + header.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength % 2 ** 32, true);
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  out.set(ascii(header), 8);
  out.set(data, 8 + header.length);
  return out;
}

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync() as ArrayLike<number>, Number);

describe("encodeSafetensors: exact bytes", () => {
  test("one F32 tensor [1, 2] = [1.5, -2]", () => {
    const w = tf.tensor2d([[1.5, -2]]);
    const bytes = assertNoLeaks(() => encodeSafetensors({ w }), 0);
    const header = `{"w":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}`; // 56 bytes: aligned already
    expect(Array.from(bytes)).toEqual([56, 0, 0, 0, 0, 0, 0, 0, ...ascii(header), 0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0]);
    w.dispose();
  });

  test("the header is padded with spaces to a multiple of 8", () => {
    const t = tf.tensor1d([7], "int32");
    const bytes = encodeSafetensors({ ab: t });
    const header = `{"ab":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}`; // 55 bytes → 56
    expect(header.length).toBe(55);
    expect(Array.from(bytes)).toEqual([56, 0, 0, 0, 0, 0, 0, 0, ...ascii(header), 0x20, 7, 0, 0, 0]);
    t.dispose();
  });

  // The byte arrays below are the reference implementation's own tests (safetensors/src/tensor.rs).
  test("matches the reference serialisation of attn.0 = 0..5 as F32 [1, 2, 3]", () => {
    const t = tf.tensor3d([0, 1, 2, 3, 4, 5], [1, 2, 3]);
    const expected = [
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112,
      101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0,
      0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ];
    expect(Array.from(encodeSafetensors({ "attn.0": t }))).toEqual(expected);
    t.dispose();
  });

  test("matches the reference's forced alignment case (attn0, [1, 1, 2, 3])", () => {
    const t = tf.tensor4d([0, 1, 2, 3, 4, 5], [1, 1, 2, 3]);
    const expected = [
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101,
      34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32,
      32, 32, 32, 32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ];
    expect(Array.from(encodeSafetensors({ attn0: t }))).toEqual(expected);
    t.dispose();
  });

  test("matches the reference for no tensors, with and without metadata", () => {
    expect(Array.from(encodeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(Array.from(encodeSafetensors({}, { framework: "pt" }))).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34,
      112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
  });

  test("orders tensors by dtype (F32, I32, BOOL), then by name, with contiguous offsets", () => {
    const ts = { z: tf.tensor1d([1, 0], "bool"), b: tf.tensor1d([3], "int32"), y: tf.scalar(2), a: tf.tensor1d([1, 2]) };
    const bytes = encodeSafetensors(ts, { note: "hi" });
    const n = new DataView(bytes.buffer).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(Object.keys(header)).toEqual(["__metadata__", "a", "y", "b", "z"]);
    expect(header.a.data_offsets).toEqual([0, 8]);
    expect(header.y).toEqual({ dtype: "F32", shape: [], data_offsets: [8, 12] });
    expect(header.b).toEqual({ dtype: "I32", shape: [1], data_offsets: [12, 16] });
    expect(header.z).toEqual({ dtype: "BOOL", shape: [2], data_offsets: [16, 18] });
    expect(Array.from(bytes.subarray(8 + n))).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0, 0x40, 3, 0, 0, 0, 1, 0]);
    expect(n % 8).toBe(0);
    tf.dispose(Object.values(ts));
  });

  test("rejects what it cannot write", () => {
    const s = tf.tensor1d(["a"], "string");
    const d = tf.scalar(1);
    d.dispose();
    const ok = tf.scalar(1);
    if (tf.getBackend() === "cpu") {
      // The wasm backend has no complex kernel.
      const c = tf.complex([1], [2]);
      expect(() => encodeSafetensors({ c })).toThrow(`encodeSafetensors: tensor "c" has dtype complex64; safetensors files hold float32 (F32), int32 (I32) and bool (BOOL) here`);
      c.dispose();
    }
    expect(() => encodeSafetensors({ s })).toThrow(/tensor "s" has dtype string/);
    expect(() => encodeSafetensors({ d })).toThrow(`encodeSafetensors: tensor "d" is disposed`);
    expect(() => encodeSafetensors({ __metadata__: ok })).toThrow(/"__metadata__" is reserved/);
    expect(() => encodeSafetensors({ "": ok })).toThrow(/may not be empty/);
    expect(() => encodeSafetensors({ x: [1, 2] as unknown as tf.Tensor })).toThrow(`encodeSafetensors: "x" is not a tf.Tensor (got object)`);
    expect(() => encodeSafetensors({ ok }, { n: 1 as unknown as string })).toThrow(`encodeSafetensors: __metadata__ values must be strings, but "n" is number`);
    tf.dispose([s, ok]);
  });
});

describe("decodeSafetensors", () => {
  test("reads a hand-written F32 file", () => {
    const bytes = handFile(`{"w":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}`, [0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0]);
    const { tensors, metadata } = assertNoLeaks(() => decodeSafetensors(bytes));
    expect(Object.keys(tensors)).toEqual(["w"]);
    expect(tensors.w!.shape).toEqual([1, 2]);
    expect(tensors.w!.dtype).toBe("float32");
    expect(values(tensors.w!)).toEqual([1.5, -2]);
    expect(metadata).toEqual({});
    tf.dispose(Object.values(tensors));
  });

  test("reads the reference's doc example (I32 [2, 2] of zeros, unpadded header)", () => {
    const header = `{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}`;
    expect(header.length).toBe(60); // '<' in the reference's bytes
    const { tensors } = decodeSafetensors(handFile(header, new Array(16).fill(0)));
    expect(tensors.test!.dtype).toBe("int32");
    expect(tensors.test!.shape).toEqual([2, 2]);
    expect(values(tensors.test!)).toEqual([0, 0, 0, 0]);
    tf.dispose(Object.values(tensors));
  });

  test("round-trips float32, int32, bool, scalars, empty tensors, odd names and metadata", () => {
    const ts: Record<string, tf.Tensor> = {
      "layers.0.weight": tf.tensor2d([[0.1, -3e-8], [Infinity, -0]]),
      "layers.0.bias": tf.tensor1d([NaN, 1e30]),
      count: tf.tensor1d([-5, 2147483647, -2147483648], "int32"),
      mask: tf.tensor2d([[true, false, true]], [1, 3], "bool"),
      s: tf.scalar(3.25),
      empty: tf.zeros([0, 3]),
      "ünï côdé": tf.tensor1d([1]),
      ["__proto__"]: tf.tensor1d([2]), // computed, so an own key rather than the prototype
    };
    const meta = { format: "pt", "ключ": "значение" };
    const bytes = assertNoLeaks(() => encodeSafetensors(ts, meta), 0);
    const { tensors, metadata } = assertNoLeaks(() => decodeSafetensors(bytes));
    expect(metadata).toEqual(meta);
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(ts).sort());
    for (const [k, t] of Object.entries(ts)) {
      const u = tensors[k]!;
      expect([k, u.dtype, u.shape]).toEqual([k, t.dtype, t.shape]);
      expect(values(u)).toEqual(values(t));
    }
    expect(Object.is(values(tensors["layers.0.weight"]!)[3], -0)).toBe(true);
    tf.dispose([...Object.values(ts), ...Object.values(tensors)]);
  });

  test("widens F16, BF16, F64 to float32 and I8, U8, I16, U16 to int32", () => {
    const entries: [string, string, number[], number[]][] = [
      // name, dtype, little-endian bytes, expected values
      ["h", "F16", [0x00, 0x3e, 0x00, 0xb4, 0x01, 0x00, 0x00, 0x7c], [1.5, -0.25, 2 ** -24, Infinity]],
      ["b", "BF16", [0xc0, 0x3f, 0x80, 0xbf], [1.5, -1]],
      ["d", "F64", [0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f], [Math.fround(0.1)]],
      ["i8", "I8", [0xff, 0x7f], [-1, 127]],
      ["u8", "U8", [0xff, 0x01], [255, 1]],
      ["i16", "I16", [0x00, 0x80, 0x34, 0x12], [-32768, 0x1234]],
      ["u16", "U16", [0xff, 0xff], [65535]],
    ];
    let offset = 0;
    const parts: string[] = [];
    const data: number[] = [];
    for (const [name, dtype, bytes, expected] of entries) {
      parts.push(`"${name}":{"dtype":"${dtype}","shape":[${expected.length}],"data_offsets":[${offset},${offset + bytes.length}]}`);
      offset += bytes.length;
      data.push(...bytes);
    }
    const { tensors } = decodeSafetensors(handFile(`{${parts.join(",")}}`, data));
    for (const [name, dtype, , expected] of entries) {
      expect([name, tensors[name]!.dtype]).toEqual([name, dtype.startsWith("F") || dtype === "BF16" ? "float32" : "int32"]);
      expect(values(tensors[name]!)).toEqual(expected);
    }
    tf.dispose(Object.values(tensors));
  });

  test("reads a buffer that is a view into a larger one", () => {
    const t = tf.tensor1d([1, 2, 3]);
    const inner = encodeSafetensors({ t });
    const outer = new Uint8Array(inner.length + 3);
    outer.set(inner, 3);
    const { tensors } = decodeSafetensors(outer.subarray(3));
    expect(values(tensors.t!)).toEqual([1, 2, 3]);
    tf.dispose([t, ...Object.values(tensors)]);
  });

  const f32 = (name: string, shape: number[], offsets: [number, number]) => `"${name}":{"dtype":"F32","shape":${JSON.stringify(shape)},"data_offsets":${JSON.stringify(offsets)}}`;
  const bad: [string, () => Uint8Array, string | RegExp][] = [
    ["fewer than 8 bytes", () => new Uint8Array(5), "decodeSafetensors: the file is truncated: it has 5 bytes, fewer than the 8 of the header length"],
    ["a header length beyond the file", () => handFile(`{}`, [], 100), "decodeSafetensors: the header length 100 goes beyond the end of the file (10 bytes): the file is truncated or not a safetensors file"],
    ["a huge header length", () => handFile(`{}`, [], 2 ** 40), "decodeSafetensors: the header length 1099511627776 is larger than the limit of 100000000 bytes (a corrupt or hostile file)"],
    ["invalid JSON", () => handFile(`{"w":`), /^decodeSafetensors: the header is not valid JSON \(/],
    ["a header that is not an object", () => handFile(`[1, 2]  `), `decodeSafetensors: the header must be a JSON object starting with "{", got "[1, 2]  "`],
    ["invalid UTF-8", () => { const b = handFile(`{"x":1}`); b[10] = 0xff; return b; }, "decodeSafetensors: the header is not valid UTF-8"],
    ["an entry that is not an object", () => handFile(`{"w":3}`), `decodeSafetensors: the header entry for "w" must be an object with dtype, shape and data_offsets`],
    ["an unknown dtype", () => handFile(`{"w":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}`, [0, 0, 0, 0]), `decodeSafetensors: tensor "w" has unknown dtype "Q7" (readable: F32, F16, BF16, F64, I32, I16, U16, I8, U8, BOOL)`],
    ["an unsupported dtype", () => handFile(`{"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, new Array(8).fill(0)), /^decodeSafetensors: tensor "w" has dtype I64, which tfjs cannot hold/],
    ["a bad shape", () => handFile(`{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, [0, 0, 0, 0]), `decodeSafetensors: tensor "w" has shape [-1]; expected an array of non-negative integers`],
    ["bad offsets", () => handFile(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}`, [0, 0, 0, 0]), `decodeSafetensors: tensor "w" has data_offsets [0]; expected [begin, end], two non-negative integers`],
    ["end before begin", () => handFile(`{${f32("w", [0], [4, 0])}}`, [0, 0, 0, 0]), `decodeSafetensors: tensor "w" has data_offsets [4, 0] with end before begin`],
    ["offsets out of range", () => handFile(`{${f32("w", [2], [0, 8])}}`, [0, 0, 0, 0]), `decodeSafetensors: tensor "w" has data_offsets [0, 8] beyond the data buffer of 4 bytes: the file is truncated`],
    ["overlapping offsets", () => handFile(`{${f32("a", [2], [0, 8])},${f32("b", [1], [4, 8])}}`, new Array(8).fill(0)), `decodeSafetensors: tensor "b" has data_offsets [4, 8] overlapping tensor "a" [0, 8]`],
    ["a gap", () => handFile(`{${f32("a", [1], [0, 4])},${f32("b", [1], [8, 12])}}`, new Array(12).fill(0)), `decodeSafetensors: bytes [4, 8) of the data buffer belong to no tensor (before "b"); the offsets must cover the buffer without gaps`],
    ["trailing bytes", () => handFile(`{${f32("a", [1], [0, 4])}}`, new Array(6).fill(0)), `decodeSafetensors: the data buffer has 6 bytes but the tensors cover 4: 2 trailing bytes belong to no tensor`],
    ["shape × dtype size differing from the offsets", () => handFile(`{${f32("a", [3], [0, 8])}}`, new Array(8).fill(0)), `decodeSafetensors: tensor "a": shape [3] of F32 needs 12 bytes, but data_offsets [0, 8] give 8`],
    ["metadata that is not strings", () => handFile(`{"__metadata__":{"a":1}}`), `decodeSafetensors: __metadata__ values must be strings, but "a" is number`],
    ["a BOOL byte that is not 0 or 1", () => handFile(`{"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}`, [1, 2]), `decodeSafetensors: BOOL tensor "m" holds byte 2 at element 1; booleans are 0 or 1`],
  ];
  test.each(bad)("rejects %s with a clear error, leaking nothing", (_what, make, message) => {
    const bytes = make();
    const before = liveTensors();
    expect(() => decodeSafetensors(bytes)).toThrow(message);
    expect(liveTensors()).toBe(before);
  });

  test("every truncation of a valid file is a clear error, never a wrong tensor", () => {
    const ts = { a: tf.tensor2d([[1, 2], [3, 4]]), b: tf.tensor1d([5], "int32"), c: tf.tensor1d([true], "bool") };
    const bytes = encodeSafetensors(ts, { k: "v" });
    const before = liveTensors();
    for (let n = 0; n < bytes.length; n++) {
      let error: unknown;
      try {
        decodeSafetensors(bytes.slice(0, n));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^decodeSafetensors: (the file is truncated|the header length \d+ goes beyond|tensor "\w" has data_offsets .* beyond the data buffer)/);
    }
    // … and one extra byte is an error too.
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => decodeSafetensors(longer)).toThrow(/1 trailing bytes belong to no tensor/);
    expect(liveTensors()).toBe(before);
    tf.dispose(Object.values(ts));
  });
});

// ---------------------------------------------------------------- models as files

class Norm extends Layer {
  gamma = param(() => tf.tensor1d([1, 2]));
  mu = param(() => tf.tensor1d([0.5, -0.5]), false);
  sigma2 = param(() => tf.tensor1d([1, 4]), false);
  momentum = 0.1;
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(tf.mul(tf.div(tf.sub(x, this.mu), tf.sqrt(this.sigma2)), this.gamma), 0));
  }
  repr(): string {
    return "Norm(2)";
  }
}
layer(Norm, { fields: ["gamma", "mu", "sigma2", "momentum"], trainable: ["gamma"] });

describe("encodeModel / loadModelBytes", () => {
  test("names tensors by key path and stores the fluxion metadata", () => {
    const m = new Chain(new Dense([1, 2], tanh, { init: ones32 }), new Dense([2, 1], undefined, { init: ones32 }));
    const bytes = assertNoLeaks(() => encodeModel(m, { metadata: { author: "me" } }), 0);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ author: "me", format: "fluxion", "fluxion.version": "1" });
    expect(Object.keys(tensors).sort()).toEqual(["layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"]);
    expect(tensors["layers.0.weight"]!.shape).toEqual([1, 2]);
    expect(values(tensors["layers.0.weight"]!)).toEqual([1, 1]);
    expect(values(tensors["layers.1.bias"]!)).toEqual([0]);
    tf.dispose(Object.values(tensors));
    dispose(m);
  });

  test("a model round-trips into a fresh one: same parameters, buffers and outputs", () => {
    const a = new Chain(new Dense([2, 2], tanh), new Norm(), new Dense([2, 3]));
    const b = new Chain(new Dense([2, 2], tanh), new Norm(), new Dense([2, 3]));
    const nb = b.at(1) as Norm;
    tf.tidy(() => {
      nb.mu.assign(tf.tensor1d([9, 9]));
      nb.sigma2.assign(tf.tensor1d([9, 9]));
    });
    const bytes = encodeModel(a);
    assertNoLeaks(() => loadModelBytes(b, bytes), 0);
    const x = tf.tensor2d([[0.3, -1.2], [2, 0.5]]);
    const [ya, yb] = [a.apply(x) as tf.Tensor, b.apply(x) as tf.Tensor];
    expect(values(yb)).toEqual(values(ya));
    expect(values(nb.mu)).toEqual([0.5, -0.5]);
    expect(values(nb.sigma2)).toEqual([1, 4]);
    tf.dispose([x, ya, yb]);
    dispose(a);
    dispose(b);
  });

  test("a tied tensor is stored once, and loads into tied and untied models", () => {
    const d = new Dense([2, 2]);
    const m = new Chain(d, d);
    const { tensors, metadata } = decodeSafetensors(encodeModel(m));
    expect(Object.keys(tensors).sort()).toEqual(["layers.0.bias", "layers.0.weight"]);
    expect(JSON.parse(metadata["fluxion.ties"]!)).toEqual({ "layers.1.weight": "layers.0.weight", "layers.1.bias": "layers.0.bias" });
    tf.dispose(Object.values(tensors));

    const e = new Dense([2, 2]);
    const tied = new Chain(e, e);
    loadModelBytes(tied, encodeModel(m));
    expect(tied.at(0)).toBe(tied.at(1));
    expect(values(e.weight)).toEqual(values(d.weight));

    const untied = new Chain(new Dense([2, 2]), new Dense([2, 2]));
    loadModelBytes(untied, encodeModel(m));
    for (const l of untied.layers as Dense[]) expect(values(l.weight)).toEqual(values(d.weight));

    // A file with two different tensors cannot load into one tied Variable.
    expect(() => loadModelBytes(tied, encodeModel(untied.slice(0, 1)))).toThrow(/do not match/);
    tf.tidy(() => (untied.at(1) as Dense).weight.assign(tf.ones([2, 2])));
    expect(() => loadModelBytes(tied, encodeModel(untied))).toThrow("loadModel at layers.1.weight: Encountered tied destination parameters with untied and mismatched sources.");
    for (const x of [m, tied, untied]) dispose(x);
  });

  test("missing and extra names are clear errors and change nothing; an absent bias ignores its tensor", () => {
    const src = new Chain(new Dense([2, 2]), new Dense([2, 1]));
    const dst = new Chain(new Dense([2, 2]), new Dense([2, 1]), new Dense([1, 1]));
    const before = values((dst.at(0) as Dense).weight);
    expect(() => loadModelBytes(dst, encodeModel(src))).toThrow(
      "loadModelBytes: the file's tensors do not match the model's (missing from the file: layers.2.weight, layers.2.bias)",
    );
    expect(() => loadModelBytes(src, encodeModel(dst))).toThrow("(in the file but not in the model: layers.2.bias, layers.2.weight)");
    expect(values((dst.at(0) as Dense).weight)).toEqual(before);

    const noBias = new Chain(new Dense([2, 2], undefined, { bias: false }), new Dense([2, 1]));
    loadModelBytes(noBias, encodeModel(src));
    expect((noBias.at(0) as Dense).bias).toBe(false);
    expect(values((noBias.at(0) as Dense).weight)).toEqual(values((src.at(0) as Dense).weight));
    // A file without the bias cannot fill a model that has one.
    expect(() => loadModelBytes(src, encodeModel(noBias))).toThrow("missing from the file: layers.0.bias");
    for (const x of [src, dst, noBias]) dispose(x);
  });

  test("a shape mismatch names the tensor and writes nothing", () => {
    const src = new Chain(new Dense([2, 3]), new Dense([3, 2]));
    const dst = new Chain(new Dense([2, 3]), new Dense([2, 3]));
    const before = values((dst.at(0) as Dense).weight);
    expect(() => loadModelBytes(dst, encodeModel(src))).toThrow("loadModel at layers.1.weight: Tried to load size [3, 2] array into size [2, 3]");
    expect(values((dst.at(0) as Dense).weight)).toEqual(before);
    dispose(src);
    dispose(dst);
  });

  test("rejects reserved metadata keys, key paths that collide and a newer file version", () => {
    const m = new Chain(new Dense([1, 1]));
    expect(() => encodeModel(m, { metadata: { format: "pt" } })).toThrow(`encodeModel: metadata key "format" is reserved for the file format`);
    expect(() => encodeModel(m, { metadata: { "fluxion.x": "1" } })).toThrow(/reserved/);
    const w = tf.scalar(1);
    expect(() => encodeModel({ "a.b": w, a: { b: w } })).toThrow(`encodeModel: KeyPath("a.b") and KeyPath("a", "b") both give the tensor name "a.b"; rename a key`);
    const newer = encodeSafetensors({ "layers.0.weight": tf.tidy(() => tf.ones([1, 1])) }, { "fluxion.version": "2" });
    expect(() => loadModelBytes(m, newer)).toThrow(`loadModelBytes: the file has fluxion.version "2"; this version reads "1"`);
    w.dispose();
    dispose(m);
  });

  test("loads a file from another tool whose names follow the key paths", () => {
    const w = tf.tensor2d([[1, 2, 3]]);
    const b = tf.tensor1d([4, 5, 6], "int32"); // int32 in the file, cast into the float32 bias
    const bytes = encodeSafetensors({ weight: w, bias: b }, { format: "pt" });
    const d = loadModelBytes(new Dense([1, 3]), bytes);
    expect(values(d.weight)).toEqual([1, 2, 3]);
    expect(d.bias && d.bias.dtype).toBe("float32");
    expect(values(d.bias as tf.Tensor)).toEqual([4, 5, 6]);
    tf.dispose([w, b]);
    dispose(d);
  });
});

describe("saveModel / loadModelFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "fluxion-model-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("saves atomically and loads back", async () => {
    const path = join(dir, "model.safetensors");
    const a = new Chain(new Dense([3, 2], tanh), new Norm());
    await assertNoLeaks(() => saveModel(path, a, { metadata: { epoch: "3" } }), 0);
    expect(await readdir(dir)).toEqual(["model.safetensors"]); // no temporary file left
    const bytes = new Uint8Array(await readFile(path));
    expect(Array.from(bytes)).toEqual(Array.from(encodeModel(a, { metadata: { epoch: "3" } })));
    const b = new Chain(new Dense([3, 2], tanh), new Norm());
    const out = await assertNoLeaks(() => loadModelFile(path, b), 0);
    expect(out).toBe(b);
    expect(values((b.at(0) as Dense).weight)).toEqual(values((a.at(0) as Dense).weight));
    dispose(a);
    dispose(b);
  });

  test("a failed save leaves an existing file untouched and no temporary file", async () => {
    const path = join(dir, "keep.safetensors");
    await writeFile(path, "old contents");
    const gone = tf.scalar(1);
    gone.dispose();
    await expect(saveModel(path, { w: gone })).rejects.toThrow("encodeModel: the tensor at w is disposed");
    // The rename fails when the target is a directory: the temporary file is removed again.
    const asDir = join(dir, "a-directory");
    await mkdir(asDir);
    const m = new Dense([1, 1]);
    await expect(saveModel(asDir, m)).rejects.toThrow(`saveModel: cannot write '${asDir}'`);
    expect((await readdir(dir)).sort()).toEqual(["a-directory", "keep.safetensors", "model.safetensors"]);
    expect(await readFile(path, "utf8")).toBe("old contents");
    expect((await stat(asDir)).isDirectory()).toBe(true);
    dispose(m);
  });

  test("an unwritable directory is a clear error", async () => {
    const m = new Dense([1, 1]);
    const missing = join(dir, "no-such-dir", "m.safetensors");
    await expect(saveModel(missing, m)).rejects.toThrow(`saveModel: cannot write '${missing}': the directory does not exist`);
    const underFile = join(dir, "model.safetensors", "m.safetensors");
    await expect(saveModel(underFile, m)).rejects.toThrow(`saveModel: cannot write '${underFile}': a part of the path is not a directory`);
    await expect(saveModel("", m)).rejects.toThrow("saveModel: the path must be a non-empty string");
    dispose(m);
  });

  test("loading a missing, truncated or mismatched file is a clear error", async () => {
    const m = new Dense([3, 2]);
    const missing = join(dir, "nothing.safetensors");
    await expect(loadModelFile(missing, m)).rejects.toThrow(`loadModelFile: no file at '${missing}'`);
    const full = await readFile(join(dir, "model.safetensors"));
    const cut = join(dir, "cut.safetensors");
    await writeFile(cut, full.subarray(0, full.length - 3));
    const before = liveTensors();
    await expect(loadModelFile(cut, m)).rejects.toThrow(new RegExp(`^loadModelFile: '${cut}': decodeSafetensors: tensor ".*" has data_offsets .* beyond the data buffer`));
    await expect(loadModelFile(join(dir, "model.safetensors"), m)).rejects.toThrow(`loadModelFile: '${join(dir, "model.safetensors")}': the file's tensors do not match the model's`);
    expect(liveTensors()).toBe(before);
    dispose(m);
  });
});
