// The float32 matrix product under fluxion's BatchMatMul kernels (batch-matmul.ts). tfjs-backend-cpu
// 4.22 runs 0.6-0.8 GFLOP/s on this machine: its inner loop reads one operand with a stride and
// keeps one sum. Here both operands are first copied ("packed") into panels read in order, and a
// 4x8 block of the output is kept in local sums while the shared dimension runs, so each pair of
// loads feeds 4 or 8 products. Packing and blocks run in WebAssembly SIMD (simd.wat) where it
// compiles: on the wasm backend in place in its heap, 34-38 GFLOP/s on the MLPs' products (the
// blocks alone reach ~43; packed in JavaScript, 25-33); on cpu the operands are copied in first
// (24-33). Else JavaScript runs (3.4-3.5 GFLOP/s; 4x8 over 256 terms was at or near the top of
// 4x4, 3x8, 2x12, 6x4, 4x12 blocks and 128-1024 terms for every shape of the MLP's products; 128 or
// 512 terms, 64 rows or 1024 columns per chunk were no faster in SIMD). JavaScript keeps its sums
// in float64 for up to 256 terms, SIMD in float32 as BLAS does.
import { simdIn, simdModule } from "./simd-module.js";

const MR = 4; // rows of A per block
const NR = 8; // columns of B per block
const KC = 256; // terms of the shared dimension per pass
// The product runs chunk by chunk of MC rows × NC columns, so the panels (and the SIMD loops'
// memory) stay the same small size whatever the matrices' (0.9 MB).
const MC = 128;
const NC = 512;
const A_PANELS = MC * KC;
const B_PANELS = KC * NC;

/** A matrix read through strides: element (i, j) is `values[offset + i·rowStride + j·colStride]`. */
export interface StridedMatrix {
  values: Float32Array;
  offset: number;
  rowStride: number;
  colStride: number;
}

/** `x` from row i0 and column j0 on. */
const from = (x: StridedMatrix, i0: number, j0: number): StridedMatrix => ({ ...x, offset: x.offset + i0 * x.rowStride + j0 * x.colStride });

/**
 * Copies `count` lines of a matrix (A's rows, or B's columns when `lines` is "columns") × terms
 * [k0, k0 + kc) of the shared dimension into blocks of `width` lines, term by term, zero-padded,
 * from `into[start]` on.
 */
function pack(x: StridedMatrix, lines: "rows" | "columns", count: number, width: number, k0: number, kc: number, into: Float32Array, start: number): void {
  const { values, offset } = x;
  const [along, term] = lines === "rows" ? [x.rowStride, x.colStride] : [x.colStride, x.rowStride];
  let p = start;
  for (let l0 = 0; l0 < count; l0 += width, p += width * kc) {
    const inside = Math.min(width, count - l0);
    const at = offset + l0 * along + k0 * term;
    if (inside < width) {
      for (let t = 0; t < kc; t++) for (let l = 0; l < width; l++) into[p + t * width + l] = l < inside ? values[at + t * term + l * along]! : 0;
    } else if (width === 8) lines8(values, at, along, term, kc, into, p);
    else lines4(values, at, along, term, kc, into, p);
  }
}

/** Packs 8 whole lines (unrolled: the packing is a third of the JavaScript product's time otherwise). */
function lines8(values: Float32Array, at: number, along: number, term: number, kc: number, into: Float32Array, p: number): void {
  const [a1, a2, a3, a4, a5, a6, a7] = [along, 2 * along, 3 * along, 4 * along, 5 * along, 6 * along, 7 * along];
  for (let t = 0; t < kc; t++, at += term, p += 8) {
    into[p] = values[at]!; into[p + 1] = values[at + a1]!; into[p + 2] = values[at + a2]!; into[p + 3] = values[at + a3]!;
    into[p + 4] = values[at + a4]!; into[p + 5] = values[at + a5]!; into[p + 6] = values[at + a6]!; into[p + 7] = values[at + a7]!;
  }
}

/** Packs 4 whole lines, unrolled. */
function lines4(values: Float32Array, at: number, along: number, term: number, kc: number, into: Float32Array, p: number): void {
  const [a1, a2, a3] = [along, 2 * along, 3 * along];
  for (let t = 0; t < kc; t++, at += term, p += 4) {
    into[p] = values[at]!; into[p + 1] = values[at + a1]!; into[p + 2] = values[at + a2]!; into[p + 3] = values[at + a3]!;
  }
}

/** Scratch for the SIMD loops' panels and a chunk of the product: GEMM_SCRATCH_BYTES bytes at byte `at` of `memory`. */
export interface GemmScratch {
  memory: WebAssembly.Memory;
  at: number;
}

/** The bytes a GemmScratch holds. */
export const GEMM_SCRATCH_BYTES = (A_PANELS + B_PANELS + MC * NC) * 4;

let simdOn = true;
// The memory the loops work in when the operands are JavaScript arrays (cpu): copied in, the product copied out.
let own: WebAssembly.Memory | undefined;

/** Whether the SIMD loops run where WebAssembly SIMD compiles (tests switch them off to check the JavaScript ones). */
export function setSimdGemm(on: boolean): void {
  simdOn = on;
}

/** Whether products run through the SIMD loops now (switched on, and WebAssembly SIMD compiles here). */
export function simdGemmRuns(): boolean {
  return simdOn && simdModule() !== null;
}

/** Elements from a strided matrix's first to its last (rows × cols of it). */
const span = (x: StridedMatrix, rows: number, cols: number): number => (rows - 1) * x.rowStride + (cols - 1) * x.colStride + 1;

/**
 * out[outOffset + i·n + j] = Σ_t A(i, t)·B(t, j) for an m×k A and a k×n B (each read through its
 * strides, so a transposed operand is the same array with its strides swapped); `out` row-major,
 * written over (zeros where k is 0). With `scratch`, the operands and `out` are views of its memory
 * (the wasm backend's heap) and the SIMD loops work there in place; otherwise they are copied into
 * the loops' own memory and the product back (or the JavaScript loops run, where SIMD does not).
 */
export function gemmFloat32(m: number, n: number, k: number, a: StridedMatrix, b: StridedMatrix, out: Float32Array, outOffset: number, scratch?: GemmScratch): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    out.fill(0, outOffset, outOffset + m * n);
    return;
  }
  if (!simdGemmRuns()) {
    gemmJs(m, n, k, a, b, out, outOffset);
    return;
  }
  if (scratch !== undefined && [a.values.buffer, b.values.buffer, out.buffer].every((buffer) => buffer === scratch.memory.buffer)) {
    const at = (x: StridedMatrix) => x.values.byteOffset / 4 + x.offset;
    gemmSimd(scratch.memory, m, n, k, { ...a, offset: at(a) }, { ...b, offset: at(b) }, out.byteOffset / 4 + outOffset, scratch.at);
    return;
  }
  // Own memory: the scratch, A's and B's spans, then the product.
  const [lengthA, lengthB] = [span(a, m, k), span(b, k, n)];
  const first = GEMM_SCRATCH_BYTES / 4;
  const memory = ownMemory((first + lengthA + lengthB + m * n) * 4);
  const heap = new Float32Array(memory.buffer);
  heap.set(a.values.subarray(a.offset, a.offset + lengthA), first);
  heap.set(b.values.subarray(b.offset, b.offset + lengthB), first + lengthA);
  const product = first + lengthA + lengthB;
  gemmSimd(memory, m, n, k, { ...a, offset: first }, { ...b, offset: first + lengthA }, product, 0);
  out.set(heap.subarray(product, product + m * n), outOffset);
}

// A memory never shrinks: the one kept for later products grows to at most this; larger products get one of their own.
const OWN_KEPT_BYTES = 64 << 20;

/** The loops' own memory, grown to at least `bytes`. */
function ownMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.ceil(bytes / 65536);
  if (bytes > OWN_KEPT_BYTES) return new WebAssembly.Memory({ initial: pages });
  if (own === undefined) own = new WebAssembly.Memory({ initial: pages });
  else if (own.buffer.byteLength < bytes) own.grow(pages - own.buffer.byteLength / 65536);
  return own;
}

/**
 * The product by the SIMD loops (simd.wat), all in `memory`: A and B at the float offsets their `offset`s
 * give (their `values` unused), the product at float `product` (row stride n), the panels and a
 * chunk of the product in scratch at byte `scratch`. Chunk by chunk, pass by pass over the shared
 * dimension: pack, multiply, then copy the chunk's rows into the product.
 */
function gemmSimd(memory: WebAssembly.Memory, m: number, n: number, k: number, a: StridedMatrix, b: StridedMatrix, product: number, scratch: number): void {
  const simd = simdIn(memory)!;
  const heap = new Float32Array(memory.buffer);
  const [pa, pb, pc] = [scratch, scratch + A_PANELS * 4, scratch + (A_PANELS + B_PANELS) * 4];
  for (let j0 = 0; j0 < n; j0 += NC) {
    for (let i0 = 0; i0 < m; i0 += MC) {
      const [mc, nc] = [Math.min(MC, m - i0), Math.min(NC, n - j0)];
      const [panelsA, panelsB] = [Math.ceil(mc / MR), Math.ceil(nc / NR)];
      const ldc = panelsB * NR;
      for (let k0 = 0; k0 < k; k0 += KC) {
        const kc = Math.min(KC, k - k0);
        simd.pack((a.offset + i0 * a.rowStride + k0 * a.colStride) * 4, a.rowStride * 4, a.colStride * 4, mc, MR, kc, pa);
        // With one pass over the shared dimension, B's panels stay packed for every chunk of rows.
        if (i0 === 0 || k > KC) simd.pack((b.offset + k0 * b.rowStride + j0 * b.colStride) * 4, b.colStride * 4, b.rowStride * 4, nc, NR, kc, pb);
        simd.gemm(pa, pb, pc, panelsA, panelsB, kc, ldc, k0 > 0 ? 1 : 0);
      }
      const c = pc / 4;
      for (let i = 0; i < mc; i++) heap.copyWithin(product + (i0 + i) * n + j0, c + i * ldc, c + i * ldc + nc);
    }
  }
}

/** The product by the JavaScript loops (where WebAssembly SIMD does not run). */
function gemmJs(m: number, n: number, k: number, a: StridedMatrix, b: StridedMatrix, out: Float32Array, outOffset: number): void {
  for (let j0 = 0; j0 < n; j0 += NC) {
    for (let i0 = 0; i0 < m; i0 += MC) {
      const [mc, nc, at] = [Math.min(MC, m - i0), Math.min(NC, n - j0), outOffset + i0 * n + j0];
      chunkJs(mc, nc, k, from(a, i0, 0), from(b, 0, j0), out, at, n, i0 > 0 && k <= KC);
    }
  }
}

// The JavaScript loops' panels, allocated once.
const packedA = new Float32Array(A_PANELS);
const packedB = new Float32Array(B_PANELS);
const edge = new Float64Array(MR * NR);

/** One chunk through the JavaScript loops, written to out (row stride n): zeros, then each pass's sums added block by block. */
function chunkJs(mc: number, nc: number, k: number, a: StridedMatrix, b: StridedMatrix, out: Float32Array, at: number, n: number, bPacked: boolean): void {
  const [panelsA, panelsB] = [Math.ceil(mc / MR), Math.ceil(nc / NR)];
  for (let i = 0; i < mc; i++) out.fill(0, at + i * n, at + i * n + nc);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    pack(a, "rows", mc, MR, k0, kc, packedA, 0);
    if (!bPacked) pack(b, "columns", nc, NR, k0, kc, packedB, 0);
    for (let pi = 0; pi < panelsA; pi++) {
      for (let pj = 0; pj < panelsB; pj++) block(kc, pi * MR * kc, pj * NR * kc, out, at + pi * MR * n + pj * NR, n, Math.min(MR, mc - pi * MR), Math.min(NR, nc - pj * NR));
    }
  }
}

/** Adds the product of one packed MR-row panel of A and one packed NR-column panel of B to out's block at `o` (row stride n), `rows`×`cols` of it inside the matrix. */
function block(kc: number, ia: number, ib: number, out: Float32Array, o: number, n: number, rows: number, cols: number): void {
  const pa = packedA;
  const pb = packedB;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
  for (let t = 0; t < kc; t++, ia += MR, ib += NR) {
    const a0 = pa[ia]!, a1 = pa[ia + 1]!, a2 = pa[ia + 2]!, a3 = pa[ia + 3]!;
    const b0 = pb[ib]!, b1 = pb[ib + 1]!, b2 = pb[ib + 2]!, b3 = pb[ib + 3]!;
    const b4 = pb[ib + 4]!, b5 = pb[ib + 5]!, b6 = pb[ib + 6]!, b7 = pb[ib + 7]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3; c04 += a0 * b4; c05 += a0 * b5; c06 += a0 * b6; c07 += a0 * b7;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3; c14 += a1 * b4; c15 += a1 * b5; c16 += a1 * b6; c17 += a1 * b7;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3; c24 += a2 * b4; c25 += a2 * b5; c26 += a2 * b6; c27 += a2 * b7;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3; c34 += a3 * b4; c35 += a3 * b5; c36 += a3 * b6; c37 += a3 * b7;
  }
  if (rows === MR && cols === NR) {
    let r = o;
    out[r]! += c00; out[r + 1]! += c01; out[r + 2]! += c02; out[r + 3]! += c03; out[r + 4]! += c04; out[r + 5]! += c05; out[r + 6]! += c06; out[r + 7]! += c07;
    r += n;
    out[r]! += c10; out[r + 1]! += c11; out[r + 2]! += c12; out[r + 3]! += c13; out[r + 4]! += c14; out[r + 5]! += c15; out[r + 6]! += c16; out[r + 7]! += c17;
    r += n;
    out[r]! += c20; out[r + 1]! += c21; out[r + 2]! += c22; out[r + 3]! += c23; out[r + 4]! += c24; out[r + 5]! += c25; out[r + 6]! += c26; out[r + 7]! += c27;
    r += n;
    out[r]! += c30; out[r + 1]! += c31; out[r + 2]! += c32; out[r + 3]! += c33; out[r + 4]! += c34; out[r + 5]! += c35; out[r + 6]! += c36; out[r + 7]! += c37;
    return;
  }
  // A block at the bottom or right edge: only its part inside the matrix is written.
  edge.set([c00, c01, c02, c03, c04, c05, c06, c07, c10, c11, c12, c13, c14, c15, c16, c17, c20, c21, c22, c23, c24, c25, c26, c27, c30, c31, c32, c33, c34, c35, c36, c37]);
  for (let r = 0; r < rows; r++) for (let s = 0; s < cols; s++) out[o + r * n + s]! += edge[r * NR + s]!;
}
