;; The inner loops of fluxion's cpu matrix product (gemm.ts) in WebAssembly SIMD: 4 rows of A by
;; 8 columns of B per block, 8 f32x4 sums held in locals while the shared dimension runs.
;; Assembled into gemm-simd-bytes.ts by scripts/assemble-gemm.mjs (a test checks they agree).
;; The memory is imported: gemm.ts owns it, packs the operands into it and reads the product back.
(module
  (import "env" "memory" (memory 1))
  ;; c[(pi*4 + r)*ldc + pj*8 + s] (+)= sum_t pa[(pi*kc + t)*4 + r] * pb[(pj*kc + t)*8 + s] for panels
  ;; pi < np, pj < nq; pa, pb, c are byte offsets, ldc counts floats (a multiple of 8); the sums
  ;; are added to c when $add is not 0, else stored (the first pass over the shared dimension).
  (func (export "gemm") (param $pa i32) (param $pb i32) (param $c i32) (param $np i32) (param $nq i32) (param $kc i32) (param $ldc i32) (param $add i32)
    (local $pi i32) (local $pj i32) (local $t i32) (local $ia i32) (local $ib i32) (local $o i32)
    (local $b0 v128) (local $b1 v128) (local $a v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $pi (i32.const 0))
    (block $endi (loop $li
      (br_if $endi (i32.ge_u (local.get $pi) (local.get $np)))
      (local.set $pj (i32.const 0))
      (block $endj (loop $lj
        (br_if $endj (i32.ge_u (local.get $pj) (local.get $nq)))
        (local.set $ia (i32.add (local.get $pa) (i32.mul (i32.mul (local.get $pi) (local.get $kc)) (i32.const 16))))
        (local.set $ib (i32.add (local.get $pb) (i32.mul (i32.mul (local.get $pj) (local.get $kc)) (i32.const 32))))
        (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
        (local.set $t (local.get $kc))
        (block $endk (loop $lk
          (br_if $endk (i32.eqz (local.get $t)))
          (local.set $b0 (v128.load (local.get $ib)))
          (local.set $b1 (v128.load offset=16 (local.get $ib)))
          (local.set $a (v128.load32_splat (local.get $ia)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $a (v128.load32_splat offset=4 (local.get $ia)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $a (v128.load32_splat offset=8 (local.get $ia)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $a (v128.load32_splat offset=12 (local.get $ia)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $ia (i32.add (local.get $ia) (i32.const 16)))
          (local.set $ib (i32.add (local.get $ib) (i32.const 32)))
          (local.set $t (i32.sub (local.get $t) (i32.const 1)))
          (br $lk)))
        ;; o = c + ((pi*4)*ldc + pj*8)*4
        (local.set $o (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (i32.shl (local.get $pi) (i32.const 2)) (local.get $ldc)) (i32.shl (local.get $pj) (i32.const 3))) (i32.const 2))))
        (if (local.get $add) (then
          (local.set $c00 (f32x4.add (v128.load (local.get $o)) (local.get $c00)))
          (local.set $c01 (f32x4.add (v128.load offset=16 (local.get $o)) (local.get $c01)))))
        (v128.store (local.get $o) (local.get $c00))
        (v128.store offset=16 (local.get $o) (local.get $c01))
        (local.set $o (i32.add (local.get $o) (i32.shl (local.get $ldc) (i32.const 2))))
        (if (local.get $add) (then
          (local.set $c10 (f32x4.add (v128.load (local.get $o)) (local.get $c10)))
          (local.set $c11 (f32x4.add (v128.load offset=16 (local.get $o)) (local.get $c11)))))
        (v128.store (local.get $o) (local.get $c10))
        (v128.store offset=16 (local.get $o) (local.get $c11))
        (local.set $o (i32.add (local.get $o) (i32.shl (local.get $ldc) (i32.const 2))))
        (if (local.get $add) (then
          (local.set $c20 (f32x4.add (v128.load (local.get $o)) (local.get $c20)))
          (local.set $c21 (f32x4.add (v128.load offset=16 (local.get $o)) (local.get $c21)))))
        (v128.store (local.get $o) (local.get $c20))
        (v128.store offset=16 (local.get $o) (local.get $c21))
        (local.set $o (i32.add (local.get $o) (i32.shl (local.get $ldc) (i32.const 2))))
        (if (local.get $add) (then
          (local.set $c30 (f32x4.add (v128.load (local.get $o)) (local.get $c30)))
          (local.set $c31 (f32x4.add (v128.load offset=16 (local.get $o)) (local.get $c31)))))
        (v128.store (local.get $o) (local.get $c30))
        (v128.store offset=16 (local.get $o) (local.get $c31))
        (local.set $pj (i32.add (local.get $pj) (i32.const 1)))
        (br $lj)))
      (local.set $pi (i32.add (local.get $pi) (i32.const 1)))
      (br $li)))
  )
)
