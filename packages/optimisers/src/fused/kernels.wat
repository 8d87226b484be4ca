;; SIMD versions of the hottest fused kernels (kernels.ts has every kernel in JavaScript). Each
;; function walks 4 float32 lanes at a time over arrays in the imported memory, rewriting them in
;; place, with the same float32 ops in the same order as kernels.ts and the rules' tfjs ops, so the
;; results are the same bit for bit. Pointers are byte offsets; n counts elements and is a multiple
;; of 4 (the caller does the rest in JavaScript). Constants come rounded to float32 as tfjs makes
;; its scalars. The last rule of a step rewrites x (and its state); a rule before it in a chain
;; ("pre" functions) writes its update to $out for the next one to read as its gradient.
;; Assembled into simd-bytes.ts by scripts/assemble-wasm.mjs.
(module
  (import "env" "memory" (memory 1))

  ;; Descent: x ← x − g·e
  (func (export "descent") (param $x i32) (param $g i32) (param $n i32) (param $e f32)
    (local $end i32) (local $E v128)
    (local.set $E (f32x4.splat (local.get $e)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (v128.store (local.get $x)
          (f32x4.sub (v128.load (local.get $x)) (f32x4.mul (v128.load (local.get $g)) (local.get $E))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (br $next))))

  ;; Momentum: v ← v·r + g·e, x ← x − v
  (func (export "momentum") (param $x i32) (param $g i32) (param $v i32) (param $n i32) (param $r f32) (param $e f32)
    (local $end i32) (local $R v128) (local $E v128) (local $V v128)
    (local.set $R (f32x4.splat (local.get $r)))
    (local.set $E (f32x4.splat (local.get $e)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $V (f32x4.add
          (f32x4.mul (v128.load (local.get $v)) (local.get $R))
          (f32x4.mul (v128.load (local.get $g)) (local.get $E))))
        (v128.store (local.get $v) (local.get $V))
        (v128.store (local.get $x) (f32x4.sub (v128.load (local.get $x)) (local.get $V)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (br $next))))

  ;; Adam and AdamW: m ← m·b1 + g·c1, v ← v·b2 + (g·g)·c2, d = (m/u1) / (sqrt(v/u2) + eps);
  ;; the update is d·e (mode 0, Adam), (d + x·l)·e (mode 1, AdamW coupled) or d·e + x·l (mode 2).
  (func (export "adam") (param $x i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32) (param $u1 f32) (param $u2 f32)
    (param $eps f32) (param $e f32) (param $l f32) (param $mode i32)
    (local $end i32) (local $G v128) (local $X v128) (local $M v128) (local $V v128) (local $D v128)
    (local $B1 v128) (local $C1 v128) (local $B2 v128) (local $C2 v128) (local $U1 v128) (local $U2 v128)
    (local $EPS v128) (local $E v128) (local $L v128)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $U1 (f32x4.splat (local.get $u1)))
    (local.set $U2 (f32x4.splat (local.get $u2)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $E (f32x4.splat (local.get $e)))
    (local.set $L (f32x4.splat (local.get $l)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $G (v128.load (local.get $g)))
        (local.set $X (v128.load (local.get $x)))
        (local.set $M (f32x4.add
          (f32x4.mul (v128.load (local.get $m)) (local.get $B1))
          (f32x4.mul (local.get $G) (local.get $C1))))
        (local.set $V (f32x4.add
          (f32x4.mul (v128.load (local.get $v)) (local.get $B2))
          (f32x4.mul (f32x4.mul (local.get $G) (local.get $G)) (local.get $C2))))
        (v128.store (local.get $m) (local.get $M))
        (v128.store (local.get $v) (local.get $V))
        (local.set $D (f32x4.div
          (f32x4.div (local.get $M) (local.get $U1))
          (f32x4.add (f32x4.sqrt (f32x4.div (local.get $V) (local.get $U2))) (local.get $EPS))))
        (v128.store (local.get $x) (f32x4.sub (local.get $X)
          (if (result v128) (i32.eqz (local.get $mode))
            (then (f32x4.mul (local.get $D) (local.get $E)))
            (else (if (result v128) (i32.eq (local.get $mode) (i32.const 1))
              (then (f32x4.mul (f32x4.add (local.get $D) (f32x4.mul (local.get $X) (local.get $L))) (local.get $E)))
              (else (f32x4.add (f32x4.mul (local.get $D) (local.get $E)) (f32x4.mul (local.get $X) (local.get $L)))))))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $m (i32.add (local.get $m) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (br $next))))

  ;; RMSProp: q ← q·r + (g·g)·c; centred also l ← l·r + g·c and s = q − l·l, else s = q;
  ;; x ← x − (g·e) / (sqrt(s) + eps). $l is ignored when not centred.
  (func (export "rmsprop") (param $x i32) (param $g i32) (param $q i32) (param $l i32) (param $n i32)
    (param $r f32) (param $c f32) (param $e f32) (param $eps f32) (param $centred i32)
    (local $end i32) (local $G v128) (local $Q v128) (local $S v128) (local $Lin v128)
    (local $R v128) (local $C v128) (local $E v128) (local $EPS v128)
    (local.set $R (f32x4.splat (local.get $r)))
    (local.set $C (f32x4.splat (local.get $c)))
    (local.set $E (f32x4.splat (local.get $e)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $G (v128.load (local.get $g)))
        (local.set $Q (f32x4.add
          (f32x4.mul (v128.load (local.get $q)) (local.get $R))
          (f32x4.mul (f32x4.mul (local.get $G) (local.get $G)) (local.get $C))))
        (v128.store (local.get $q) (local.get $Q))
        (local.set $S (local.get $Q))
        (if (local.get $centred)
          (then
            (local.set $Lin (f32x4.add
              (f32x4.mul (v128.load (local.get $l)) (local.get $R))
              (f32x4.mul (local.get $G) (local.get $C))))
            (v128.store (local.get $l) (local.get $Lin))
            (local.set $S (f32x4.sub (local.get $Q) (f32x4.mul (local.get $Lin) (local.get $Lin))))
            (local.set $l (i32.add (local.get $l) (i32.const 16)))))
        (v128.store (local.get $x) (f32x4.sub (v128.load (local.get $x))
          (f32x4.div (f32x4.mul (local.get $G) (local.get $E))
            (f32x4.add (f32x4.sqrt (local.get $S)) (local.get $EPS)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $next))))

  ;; Lion: m ← g·gm + m·mm, s = g·gd + m·md, x ← x − sign(s)·e, where sign is ±1 from |s| ≥ $floor
  ;; on and 0 below it and at NaN, as tf.sign on the active backend (kernels.ts: signFloor).
  (func (export "lion") (param $x i32) (param $g i32) (param $m i32) (param $n i32)
    (param $gm f32) (param $mm f32) (param $gd f32) (param $md f32) (param $e f32) (param $floor f32)
    (local $end i32) (local $G v128) (local $M v128) (local $S v128)
    (local $GM v128) (local $MM v128) (local $GD v128) (local $MD v128) (local $E v128) (local $F v128)
    (local.set $GM (f32x4.splat (local.get $gm)))
    (local.set $MM (f32x4.splat (local.get $mm)))
    (local.set $GD (f32x4.splat (local.get $gd)))
    (local.set $MD (f32x4.splat (local.get $md)))
    (local.set $E (f32x4.splat (local.get $e)))
    (local.set $F (f32x4.splat (local.get $floor)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $G (v128.load (local.get $g)))
        (local.set $M (f32x4.add
          (f32x4.mul (local.get $G) (local.get $GM))
          (f32x4.mul (v128.load (local.get $m)) (local.get $MM))))
        (v128.store (local.get $m) (local.get $M))
        (local.set $S (f32x4.add (f32x4.mul (local.get $G) (local.get $GD)) (f32x4.mul (local.get $M) (local.get $MD))))
        ;; sign(s)·e: e where s ≥ floor, −e where s ≤ −floor, 0 elsewhere
        (v128.store (local.get $x) (f32x4.sub (v128.load (local.get $x))
          (v128.or
            (v128.and (f32x4.ge (local.get $S) (local.get $F)) (local.get $E))
            (v128.and (f32x4.le (local.get $S) (f32x4.neg (local.get $F))) (f32x4.neg (local.get $E))))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $m (i32.add (local.get $m) (i32.const 16)))
        (br $next))))

  ;; Nesterov: u = v·a + g·b, v ← v·r − g·e, x ← x − u (a = −ρ², b = (1+ρ)η)
  (func (export "nesterov") (param $x i32) (param $g i32) (param $v i32) (param $n i32)
    (param $a f32) (param $b f32) (param $r f32) (param $e f32)
    (local $end i32) (local $G v128) (local $V v128) (local $A v128) (local $B v128) (local $R v128) (local $E v128)
    (local.set $A (f32x4.splat (local.get $a)))
    (local.set $B (f32x4.splat (local.get $b)))
    (local.set $R (f32x4.splat (local.get $r)))
    (local.set $E (f32x4.splat (local.get $e)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $G (v128.load (local.get $g)))
        (local.set $V (v128.load (local.get $v)))
        (v128.store (local.get $x) (f32x4.sub (v128.load (local.get $x))
          (f32x4.add (f32x4.mul (local.get $V) (local.get $A)) (f32x4.mul (local.get $G) (local.get $B)))))
        (v128.store (local.get $v)
          (f32x4.sub (f32x4.mul (local.get $V) (local.get $R)) (f32x4.mul (local.get $G) (local.get $E))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (br $next))))

  ;; AdaBelief: m ← m·b1 + g·c1, d = g − m, s ← (s·b2 + (d·d)·c2) + eps,
  ;; x ← x − ((m/u1) / (sqrt(s/u2) + eps))·e
  (func (export "adabelief") (param $x i32) (param $g i32) (param $m i32) (param $s i32) (param $n i32)
    (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32) (param $u1 f32) (param $u2 f32)
    (param $eps f32) (param $e f32)
    (local $end i32) (local $G v128) (local $M v128) (local $S v128) (local $D v128)
    (local $B1 v128) (local $C1 v128) (local $B2 v128) (local $C2 v128) (local $U1 v128) (local $U2 v128)
    (local $EPS v128) (local $E v128)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $U1 (f32x4.splat (local.get $u1)))
    (local.set $U2 (f32x4.splat (local.get $u2)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $E (f32x4.splat (local.get $e)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $G (v128.load (local.get $g)))
        (local.set $M (f32x4.add
          (f32x4.mul (v128.load (local.get $m)) (local.get $B1))
          (f32x4.mul (local.get $G) (local.get $C1))))
        (local.set $D (f32x4.sub (local.get $G) (local.get $M)))
        (local.set $S (f32x4.add
          (f32x4.add
            (f32x4.mul (v128.load (local.get $s)) (local.get $B2))
            (f32x4.mul (f32x4.mul (local.get $D) (local.get $D)) (local.get $C2)))
          (local.get $EPS)))
        (v128.store (local.get $m) (local.get $M))
        (v128.store (local.get $s) (local.get $S))
        (v128.store (local.get $x) (f32x4.sub (v128.load (local.get $x))
          (f32x4.mul
            (f32x4.div
              (f32x4.div (local.get $M) (local.get $U1))
              (f32x4.add (f32x4.sqrt (f32x4.div (local.get $S) (local.get $U2))) (local.get $EPS)))
            (local.get $E))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $m (i32.add (local.get $m) (i32.const 16)))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (br $next))))

  ;; Pre: WeightDecay, out = g + x·l
  (func (export "weightdecay") (param $g i32) (param $out i32) (param $x i32) (param $n i32) (param $l f32)
    (local $end i32) (local $L v128)
    (local.set $L (f32x4.splat (local.get $l)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (v128.store (local.get $out)
          (f32x4.add (v128.load (local.get $g)) (f32x4.mul (v128.load (local.get $x)) (local.get $L))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next))))

  ;; Pre: SignDecay, out = g + sign(x)·l, sign as in "lion"
  (func (export "signdecay") (param $g i32) (param $out i32) (param $x i32) (param $n i32) (param $l f32) (param $floor f32)
    (local $end i32) (local $L v128) (local $F v128) (local $X v128)
    (local.set $L (f32x4.splat (local.get $l)))
    (local.set $F (f32x4.splat (local.get $floor)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $X (v128.load (local.get $x)))
        (v128.store (local.get $out)
          (f32x4.add (v128.load (local.get $g))
            (v128.or
              (v128.and (f32x4.ge (local.get $X) (local.get $F)) (local.get $L))
              (v128.and (f32x4.le (local.get $X) (f32x4.neg (local.get $F))) (f32x4.neg (local.get $L))))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next))))

  ;; Pre: ClipGrad, out = clamp(g, −d, d), with $nan where g is NaN (kernels.ts: as tf.clipByValue)
  (func (export "clipgrad") (param $g i32) (param $out i32) (param $n i32) (param $d f32) (param $nan f32)
    (local $end i32) (local $G v128) (local $D v128) (local $ND v128) (local $NAN v128) (local $U v128)
    (local.set $D (f32x4.splat (local.get $d)))
    (local.set $ND (f32x4.neg (local.get $D)))
    (local.set $NAN (f32x4.splat (local.get $nan)))
    (local.set $end (i32.add (local.get $g) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $g) (local.get $end)))
        (local.set $G (v128.load (local.get $g)))
        (local.set $U (v128.bitselect (local.get $D) (local.get $G) (f32x4.gt (local.get $G) (local.get $D))))
        (local.set $U (v128.bitselect (local.get $ND) (local.get $U) (f32x4.lt (local.get $G) (local.get $ND))))
        (local.set $U (v128.bitselect (local.get $NAN) (local.get $U) (f32x4.ne (local.get $G) (local.get $G))))
        (v128.store (local.get $out) (local.get $U))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next))))
)
