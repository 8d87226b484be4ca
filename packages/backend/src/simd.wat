;; The backend's loops in WebAssembly SIMD: the matrix product's (gemm.ts), packing the operands
;; into panels and multiplying the panels, 4 rows of A by 8 columns of B per block, 8 f32x4 sums
;; held in locals while the shared dimension runs; and the finiteness scan (finite-scan.ts).
;; Assembled into simd-bytes.ts by scripts/assemble-simd.mjs (a test checks they agree).
;; The memory is imported: the wasm backend's heap, where the operands and the product are (the
;; panels in scratch allocated there), or on cpu one gemm.ts owns and copies the operands into.
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

  ;; Packs lines [0, count) of a matrix (A's rows, or B's columns) into blocks of $w lines (4 or 8),
  ;; term by term: dst[((l/w)*kc + t)*w + l%w] = the matrix's line l, term t, which is at byte
  ;; $src + l*$along + t*$term; zeros for lines past count. Lines stored one after another
  ;; ($along = 4: B, or a transposed A) copy a term's w values at once; terms stored one after
  ;; another ($term = 4: A, or a transposed B) go through 4x4 transposes; anything else one by one.
  (func (export "pack") (param $src i32) (param $along i32) (param $term i32) (param $count i32) (param $w i32) (param $kc i32) (param $dst i32)
    (local $l0 i32) (local $p i32) (local $q i32) (local $t i32) (local $l i32) (local $g i32) (local $row i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $x v128) (local $y v128)
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $l0) (local.get $count)))
      (local.set $p (i32.add (local.get $src) (i32.mul (local.get $l0) (local.get $along))))
      (block $next
        (if (i32.lt_u (i32.sub (local.get $count) (local.get $l0)) (local.get $w)) (then
          ;; the last, partial block: value by value, zeros past the last line
          (local.set $t (i32.const 0))
          (block $endt (loop $lt
            (br_if $endt (i32.ge_u (local.get $t) (local.get $kc)))
            (local.set $l (i32.const 0))
            (block $endl (loop $ll
              (br_if $endl (i32.ge_u (local.get $l) (local.get $w)))
              (f32.store (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $w)) (local.get $l)) (i32.const 2)))
                (if (result f32) (i32.lt_u (i32.add (local.get $l0) (local.get $l)) (local.get $count))
                  (then (f32.load (i32.add (local.get $p) (i32.add (i32.mul (local.get $l) (local.get $along)) (i32.mul (local.get $t) (local.get $term))))))
                  (else (f32.const 0))))
              (local.set $l (i32.add (local.get $l) (i32.const 1)))
              (br $ll)))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $lt)))
          (br $next)))
        (if (i32.eq (local.get $along) (i32.const 4)) (then
          ;; a term's w values are adjacent: copy them as they are
          (local.set $q (local.get $dst))
          (local.set $t (local.get $kc))
          (block $endt (loop $lt
            (br_if $endt (i32.eqz (local.get $t)))
            (v128.store (local.get $q) (v128.load (local.get $p)))
            (if (i32.eq (local.get $w) (i32.const 8)) (then (v128.store offset=16 (local.get $q) (v128.load offset=16 (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (local.get $term)))
            (local.set $q (i32.add (local.get $q) (i32.shl (local.get $w) (i32.const 2))))
            (local.set $t (i32.sub (local.get $t) (i32.const 1)))
            (br $lt)))
          (br $next)))
        ;; four lines at a time (g), four terms at a time through 4x4 transposes when terms are
        ;; adjacent, the rest term by term
        (local.set $g (i32.const 0))
        (block $endg (loop $lg
          (br_if $endg (i32.ge_u (local.get $g) (local.get $w)))
          (local.set $row (i32.add (local.get $p) (i32.mul (local.get $g) (local.get $along))))
          (local.set $q (i32.add (local.get $dst) (i32.shl (local.get $g) (i32.const 2))))
          (local.set $t (i32.const 0))
          (if (i32.eq (local.get $term) (i32.const 4)) (then
            (block $end4 (loop $l4
              (br_if $end4 (i32.gt_u (i32.add (local.get $t) (i32.const 4)) (local.get $kc)))
              (local.set $r0 (v128.load (i32.add (local.get $row) (i32.shl (local.get $t) (i32.const 2)))))
              (local.set $r1 (v128.load (i32.add (i32.add (local.get $row) (local.get $along)) (i32.shl (local.get $t) (i32.const 2)))))
              (local.set $r2 (v128.load (i32.add (i32.add (local.get $row) (i32.shl (local.get $along) (i32.const 1))) (i32.shl (local.get $t) (i32.const 2)))))
              (local.set $r3 (v128.load (i32.add (i32.add (local.get $row) (i32.mul (local.get $along) (i32.const 3))) (i32.shl (local.get $t) (i32.const 2)))))
              ;; x = r0[0] r1[0] r0[1] r1[1], y = r2[0] r3[0] r2[1] r3[1]: terms t and t+1
              (local.set $x (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
              (local.set $y (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
              (v128.store (local.get $q) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
              (local.set $q (i32.add (local.get $q) (i32.shl (local.get $w) (i32.const 2))))
              (v128.store (local.get $q) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
              (local.set $q (i32.add (local.get $q) (i32.shl (local.get $w) (i32.const 2))))
              ;; terms t+2 and t+3
              (local.set $x (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
              (local.set $y (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
              (v128.store (local.get $q) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
              (local.set $q (i32.add (local.get $q) (i32.shl (local.get $w) (i32.const 2))))
              (v128.store (local.get $q) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
              (local.set $q (i32.add (local.get $q) (i32.shl (local.get $w) (i32.const 2))))
              (local.set $t (i32.add (local.get $t) (i32.const 4)))
              (br $l4)))))
          (block $end1 (loop $l1
            (br_if $end1 (i32.ge_u (local.get $t) (local.get $kc)))
            (local.set $l (i32.add (local.get $row) (i32.mul (local.get $t) (local.get $term))))
            (f32.store (local.get $q) (f32.load (local.get $l)))
            (f32.store offset=4 (local.get $q) (f32.load (i32.add (local.get $l) (local.get $along))))
            (f32.store offset=8 (local.get $q) (f32.load (i32.add (local.get $l) (i32.shl (local.get $along) (i32.const 1)))))
            (f32.store offset=12 (local.get $q) (f32.load (i32.add (local.get $l) (i32.mul (local.get $along) (i32.const 3)))))
            (local.set $q (i32.add (local.get $q) (i32.shl (local.get $w) (i32.const 2))))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $l1)))
          (local.set $g (i32.add (local.get $g) (i32.const 4)))
          (br $lg))))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $w) (local.get $kc)) (i32.const 2))))
      (local.set $l0 (i32.add (local.get $l0) (local.get $w)))
      (br $blocks)))
  )

  ;; 1 when the n float32 values at byte $src are all finite, 0 when one is NaN or ±Infinity: their
  ;; exponent bits are all set, so (bits & 0x7f800000) + 0x00800000 carries into the sign bit.
  (func (export "finite") (param $src i32) (param $n i32) (result i32)
    (local $end i32) (local $acc v128) (local $tail i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
      (local.set $acc (v128.or (local.get $acc)
        (i32x4.add (v128.and (v128.load (local.get $src)) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                   (v128.const i32x4 0x00800000 0x00800000 0x00800000 0x00800000))))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (br $l)))
    ;; the last n mod 4 values, one by one
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $done1 (loop $l1
      (br_if $done1 (i32.ge_u (local.get $src) (local.get $end)))
      (local.set $tail (i32.or (local.get $tail) (i32.add (i32.and (i32.load (local.get $src)) (i32.const 0x7f800000)) (i32.const 0x00800000))))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (br $l1)))
    (i32.eqz (i32.or (i32x4.bitmask (local.get $acc)) (i32.lt_s (local.get $tail) (i32.const 0))))
  )
)
