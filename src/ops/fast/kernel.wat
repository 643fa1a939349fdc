;; nnlstm fast path: WebAssembly SIMD128 kernels for the float LSTM (see src/ops/fast/README.md).
;;
;; Hand-written; assembled by `npm run build:wasm` (the `wabt` npm package) into
;; src/ops/fast/kernel-wasm.generated.ts. The relaxed-SIMD FMA variant (opt-in only) is derived from
;; this file by that script: every `(f32x4.add (local.get $c) (f32x4.mul (local.get $x) (local.get $w)))`
;; becomes `(f32x4.relaxed_madd (local.get $x) (local.get $w) (local.get $c))`.
;;
;; Numerics. Every matrix product adds the products to the running float32 sum one k at a time, in
;; increasing k, starting from the value already in C: exactly the order and the float32 rounding of
;; the plain reference (src/ops/lstm/cell.ts matVecAccumulate), so the products are bit-identical to
;; it. Only the transcendental activations (exp, σ, tanh) differ: float32 polynomial/rational
;; approximations of a few ulp instead of the plain path's double-precision Math.exp / Math.tanh.
;; (Parts of this file — the unrolled cell bodies — were expanded from templates once; it is edited
;; as WAT from then on.)
;;
;; Layouts (all float32, all pointers are byte offsets into the imported memory):
;;   A   [m, k] row-major, row stride lda floats (the LSTM inputs x_t, h_{t-1}, m_t).
;;   W   packed: panel p (output columns 8p … 8p+7) is k rows of 8 floats, panels one after another
;;       (panel p starts at w + p·k·32 bytes); or the same with 24-wide panels (gemm24). Padding columns are zero.
;;   C   [m, 8·panels] row-major, row stride ldc floats; the product is ADDED to what C holds.
;;
;; Descriptor of one LSTM direction (i32 fields unless noted), written by src/ops/fast/plan.ts:
;;    0 B   4 N   8 Ns (N rounded up to 4)   12 O   16 hs (h row stride: O rounded up to the panel width)
;;   20 G (4, or 3 with CIFG)   24 Gc (gate row stride: G·Ns rounded up to the panel width)
;;   28 cifg   32 peephole   36 activation code   40 cell_clip (f32)   44 proj_clip (f32)
;;   48 projection   52 activation-none AOSP-code variant
;;   56 W_h packed   60 W_proj packed   64 projection bias row (hs floats, zeros without bias)
;;   68 cell_to_input   72 cell_to_forget   76 cell_to_output (Ns floats each)
;;   80 gate rows Z [T·B, Gc] (bias + W_x·x_t precomputed)   84 h [B, hs]   88 C [B, Ns]
;;   92 h history [T·B, hs]   96 packing scratch of gemm (max(m·k) floats)
;;   100 panel width of W_h and W_proj: 8, or 24 when B < 4 (then Gc and hs are multiples of 24)
;; Gate blocks inside a Z row: [i | f | c | o] (or [f | c | o] with CIFG), Ns floats each.
(module
  (import "env" "memory" (memory 1))

  ;; ------------------------------------------------------------------------------------------
  ;; Matrix products

  ;; Micro-kernels. Each adds its block's k products to C one k at a time, in increasing k.
  ;; The stream pointers start one step back and advance at the top of the loop: TurboFan then
  ;; addresses the loads from the incremented register directly, three instructions fewer per k
  ;; than advancing at the bottom (the old value stayed live for the loads). That matters because
  ;; the loop is issue-bound, doubly so when the host runs another thread on the same core.

  ;; C[1 row, 8 cols] += A[1 row, 0..k) · panel (the rows a 4-row block leaves over)
  (func $k1x8 (param $a i32) (param $k i32) (param $w i32) (param $c i32)
    (local $end i32) (local $x v128) (local $c0 v128) (local $c1 v128) (local $w0 v128) (local $w1 v128)
    (if (i32.eqz (local.get $k)) (then (return)))
    (local.set $c0 (v128.load (local.get $c)))
    (local.set $c1 (v128.load offset=16 (local.get $c)))
    (local.set $end (i32.add (local.get $w) (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 5))))
    (local.set $a (i32.sub (local.get $a) (i32.const 4)))
    (local.set $w (i32.sub (local.get $w) (i32.const 32)))
    (loop $l
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $w (i32.add (local.get $w) (i32.const 32)))
      (local.set $x (v128.load32_splat (local.get $a)))
      (local.set $w0 (v128.load (local.get $w)))
      (local.set $w1 (v128.load offset=16 (local.get $w)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $x) (local.get $w0))))
      (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $x) (local.get $w1))))
      (br_if $l (i32.lt_u (local.get $w) (local.get $end))))
    (v128.store (local.get $c) (local.get $c0))
    (v128.store offset=16 (local.get $c) (local.get $c1)))

  ;; C[4 rows, 8 cols] += P · panel, where P holds the 4 rows of A interleaved (P[4k + r] = A[r, k]),
  ;; so one pointer walks all four rows. Eight accumulators: V8 (TurboFan, Node 20) keeps them in
  ;; registers; wider blocks or an unrolled k spill (its scheduler hoists the loads).
  (func $k4x8p (param $p i32) (param $k i32) (param $w i32) (param $c i32) (param $ldc i32)
    (local $c1 i32) (local $c2 i32) (local $c3 i32) (local $end i32)
    (local $w0 v128) (local $w1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (if (i32.eqz (local.get $k)) (then (return)))
    (local.set $c1 (i32.add (local.get $c) (local.get $ldc)))
    (local.set $c2 (i32.add (local.get $c1) (local.get $ldc)))
    (local.set $c3 (i32.add (local.get $c2) (local.get $ldc)))
    (local.set $c00 (v128.load (local.get $c)))
    (local.set $c01 (v128.load offset=16 (local.get $c)))
    (local.set $c10 (v128.load (local.get $c1)))
    (local.set $c11 (v128.load offset=16 (local.get $c1)))
    (local.set $c20 (v128.load (local.get $c2)))
    (local.set $c21 (v128.load offset=16 (local.get $c2)))
    (local.set $c30 (v128.load (local.get $c3)))
    (local.set $c31 (v128.load offset=16 (local.get $c3)))
    (local.set $end (i32.add (local.get $w) (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 5))))
    (local.set $p (i32.sub (local.get $p) (i32.const 16)))
    (local.set $w (i32.sub (local.get $w) (i32.const 32)))
    (loop $l
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $w (i32.add (local.get $w) (i32.const 32)))
      (local.set $w0 (v128.load (local.get $w)))
      (local.set $w1 (v128.load offset=16 (local.get $w)))
      (local.set $x (v128.load32_splat (local.get $p)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $w0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $w1))))
      (local.set $x (v128.load32_splat offset=4 (local.get $p)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $w0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $w1))))
      (local.set $x (v128.load32_splat offset=8 (local.get $p)))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $w0))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $w1))))
      (local.set $x (v128.load32_splat offset=12 (local.get $p)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $w0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $w1))))
      (br_if $l (i32.lt_u (local.get $w) (local.get $end))))
    (v128.store (local.get $c) (local.get $c00))
    (v128.store offset=16 (local.get $c) (local.get $c01))
    (v128.store (local.get $c1) (local.get $c10))
    (v128.store offset=16 (local.get $c1) (local.get $c11))
    (v128.store (local.get $c2) (local.get $c20))
    (v128.store offset=16 (local.get $c2) (local.get $c21))
    (v128.store (local.get $c3) (local.get $c30))
    (v128.store offset=16 (local.get $c3) (local.get $c31)))

  ;; P[4k + r] = A[r, k] for the 4 rows at a (stride lda bytes), k < K
  (func $pack4 (param $a i32) (param $lda i32) (param $k i32) (param $p i32)
    (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $end i32)
    (local.set $a1 (i32.add (local.get $a) (local.get $lda)))
    (local.set $a2 (i32.add (local.get $a1) (local.get $lda)))
    (local.set $a3 (i32.add (local.get $a2) (local.get $lda)))
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (f32.store (local.get $p) (f32.load (local.get $a)))
        (f32.store offset=4 (local.get $p) (f32.load (local.get $a1)))
        (f32.store offset=8 (local.get $p) (f32.load (local.get $a2)))
        (f32.store offset=12 (local.get $p) (f32.load (local.get $a3)))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $a1 (i32.add (local.get $a1) (i32.const 4)))
        (local.set $a2 (i32.add (local.get $a2) (i32.const 4)))
        (local.set $a3 (i32.add (local.get $a3) (i32.const 4)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l))))

  ;; One row: C[0, 8·panels) += A[0, 0..k) · W
  (func $gemv (param $a i32) (param $k i32) (param $w i32) (param $panels i32) (param $c i32)
    (local $p i32) (local $ps i32)
    (local.set $ps (i32.shl (local.get $k) (i32.const 5)))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $p) (local.get $panels)))
        (call $k1x8 (local.get $a) (local.get $k) (local.get $w) (local.get $c))
        (local.set $w (i32.add (local.get $w) (local.get $ps)))
        (local.set $c (i32.add (local.get $c) (i32.const 32)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $one))))

  ;; C[m, 8·panels) += A[m, 0..k) · W. lda, ldc in floats. Rows in blocks of 4 are first packed
  ;; (pack4) into the scratch at $pk (m·k floats), then multiplied panel by panel, each panel staying
  ;; in L1 across the row blocks; the remaining m % 4 rows go through the one-row kernels.
  (func $gemm (export "gemm") (param $a i32) (param $lda i32) (param $m i32) (param $k i32)
                              (param $w i32) (param $panels i32) (param $c i32) (param $ldc i32) (param $pk i32)
    (local $ldab i32) (local $ldcb i32) (local $ps i32) (local $p i32) (local $r i32) (local $m4 i32)
    (local $wp i32) (local $cp i32) (local $kb i32)
    (local.set $ldab (i32.shl (local.get $lda) (i32.const 2)))
    (local.set $ldcb (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $ps (i32.shl (local.get $k) (i32.const 5)))
    (local.set $kb (i32.shl (local.get $k) (i32.const 4)))
    (local.set $m4 (i32.and (local.get $m) (i32.const -4)))
    (if (i32.and (i32.ne (local.get $m4) (i32.const 0)) (i32.ne (local.get $k) (i32.const 0)))
      (then
        (local.set $r (i32.const 0))
        (loop $pack
          (call $pack4 (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $ldab))) (local.get $ldab) (local.get $k)
                       (i32.add (local.get $pk) (i32.mul (i32.shr_u (local.get $r) (i32.const 2)) (local.get $kb))))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (br_if $pack (i32.lt_u (local.get $r) (local.get $m4))))
        (local.set $p (i32.const 0))
        (loop $panel
          (local.set $wp (i32.add (local.get $w) (i32.mul (local.get $p) (local.get $ps))))
          (local.set $cp (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 5))))
          (local.set $r (i32.const 0))
          (loop $rows
            (call $k4x8p
              (i32.add (local.get $pk) (i32.mul (i32.shr_u (local.get $r) (i32.const 2)) (local.get $kb))) (local.get $k)
              (local.get $wp) (i32.add (local.get $cp) (i32.mul (local.get $r) (local.get $ldcb))) (local.get $ldcb))
            (local.set $r (i32.add (local.get $r) (i32.const 4)))
            (br_if $rows (i32.lt_u (local.get $r) (local.get $m4))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br_if $panel (i32.lt_u (local.get $p) (local.get $panels))))))
    (local.set $r (local.get $m4))
    (block $done
      (loop $rest
        (br_if $done (i32.ge_u (local.get $r) (local.get $m)))
        (call $gemv (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $ldab))) (local.get $k) (local.get $w) (local.get $panels)
                    (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $ldcb))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rest))))

  ;; C[1 row, 24 cols] += A[1 row, 0..k) · one 24-wide panel (k rows of 24 floats, one contiguous stream).
  ;; Six accumulators and six weight vectors: the most V8's register allocator keeps out of memory.
  (func $k1x24 (param $a i32) (param $k i32) (param $w i32) (param $c i32)
    (local $end i32) (local $x v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $c4 v128) (local $c5 v128)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $w4 v128) (local $w5 v128)
    (if (i32.eqz (local.get $k)) (then (return)))
    (local.set $c0 (v128.load (local.get $c)))
    (local.set $c1 (v128.load offset=16 (local.get $c)))
    (local.set $c2 (v128.load offset=32 (local.get $c)))
    (local.set $c3 (v128.load offset=48 (local.get $c)))
    (local.set $c4 (v128.load offset=64 (local.get $c)))
    (local.set $c5 (v128.load offset=80 (local.get $c)))
    (local.set $end (i32.add (local.get $w) (i32.mul (i32.sub (local.get $k) (i32.const 1)) (i32.const 96))))
    (local.set $a (i32.sub (local.get $a) (i32.const 4)))
    (local.set $w (i32.sub (local.get $w) (i32.const 96)))
    (loop $l
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $w (i32.add (local.get $w) (i32.const 96)))
      (local.set $x (v128.load32_splat (local.get $a)))
      (local.set $w0 (v128.load (local.get $w)))
      (local.set $w1 (v128.load offset=16 (local.get $w)))
      (local.set $w2 (v128.load offset=32 (local.get $w)))
      (local.set $w3 (v128.load offset=48 (local.get $w)))
      (local.set $w4 (v128.load offset=64 (local.get $w)))
      (local.set $w5 (v128.load offset=80 (local.get $w)))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $x) (local.get $w0))))
      (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $x) (local.get $w1))))
      (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $x) (local.get $w2))))
      (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $x) (local.get $w3))))
      (local.set $c4 (f32x4.add (local.get $c4) (f32x4.mul (local.get $x) (local.get $w4))))
      (local.set $c5 (f32x4.add (local.get $c5) (f32x4.mul (local.get $x) (local.get $w5))))
      (br_if $l (i32.lt_u (local.get $w) (local.get $end))))
    (v128.store (local.get $c) (local.get $c0))
    (v128.store offset=16 (local.get $c) (local.get $c1))
    (v128.store offset=32 (local.get $c) (local.get $c2))
    (v128.store offset=48 (local.get $c) (local.get $c3))
    (v128.store offset=64 (local.get $c) (local.get $c4))
    (v128.store offset=80 (local.get $c) (local.get $c5)))

  ;; C[m, 24·panels) += A[m, 0..k) · W for W packed in 24-wide panels (used when m < 4: one row at a time;
  ;; also the input projection of a run with T·B < 4, e.g. a streaming call, where $gemm would fall
  ;; back to the 2-accumulator one-row kernel).
  (func $gemm24 (export "gemm24") (param $a i32) (param $lda i32) (param $m i32) (param $k i32) (param $w i32) (param $panels i32) (param $c i32) (param $ldc i32)
    (local $r i32) (local $p i32) (local $ps i32) (local $ar i32) (local $cr i32)
    (local.set $ps (i32.mul (local.get $k) (i32.const 96)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $m)))
        (local.set $ar (i32.add (local.get $a) (i32.shl (i32.mul (local.get $r) (local.get $lda)) (i32.const 2))))
        (local.set $cr (i32.add (local.get $c) (i32.shl (i32.mul (local.get $r) (local.get $ldc)) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $pdone
          (loop $panel
            (br_if $pdone (i32.ge_u (local.get $p) (local.get $panels)))
            (call $k1x24 (local.get $ar) (local.get $k) (i32.add (local.get $w) (i32.mul (local.get $p) (local.get $ps)))
                         (i32.add (local.get $cr) (i32.mul (local.get $p) (i32.const 96))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $panel)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; The recurrent and projection products: W packed in 8-wide panels (gemm) or, when B < 4, in
  ;; 24-wide panels (gemm24), as the descriptor's field 100 says (8 or 24).
  (func $gemm_rec (param $d i32) (param $a i32) (param $lda i32) (param $m i32) (param $k i32) (param $w i32) (param $cols i32) (param $c i32) (param $ldc i32)
    (if (i32.eq (i32.load offset=100 (local.get $d)) (i32.const 24))
      (then (call $gemm24 (local.get $a) (local.get $lda) (local.get $m) (local.get $k) (local.get $w) (i32.div_u (local.get $cols) (i32.const 24)) (local.get $c) (local.get $ldc)))
      (else (call $gemm (local.get $a) (local.get $lda) (local.get $m) (local.get $k) (local.get $w) (i32.shr_u (local.get $cols) (i32.const 3)) (local.get $c) (local.get $ldc)
                        (i32.load offset=96 (local.get $d))))))

  ;; Exported for the plain-cell (layer norm) step: Z_k += h · W_hᵀ.
  (func (export "recurrent") (param $d i32) (param $z i32)
    (call $gemm_rec (local.get $d) (i32.load offset=84 (local.get $d)) (i32.load offset=16 (local.get $d)) (i32.load offset=0 (local.get $d))
      (i32.load offset=12 (local.get $d)) (i32.load offset=56 (local.get $d)) (i32.load offset=24 (local.get $d)) (local.get $z) (i32.load offset=24 (local.get $d))))

  ;; dst rows [rows, n] (stride ld floats) = src [n]
  (func $init_rows (export "init_rows") (param $dst i32) (param $ld i32) (param $rows i32) (param $src i32) (param $n i32)
    (local $r i32) (local $ldb i32) (local $nb i32)
    (local.set $ldb (i32.shl (local.get $ld) (i32.const 2)))
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (memory.copy (local.get $dst) (local.get $src) (local.get $nb))
        (local.set $dst (i32.add (local.get $dst) (local.get $ldb)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $l))))

  ;; buf[0..n) = clamp(buf, ±clip), n a multiple of 4. NaN stays NaN (f32x4.pmin/max propagate it).
  (func $clamp (export "clamp") (param $p i32) (param $n i32) (param $clip f32)
    (local $end i32) (local $hi v128) (local $lo v128)
    (local.set $hi (f32x4.splat (local.get $clip)))
    (local.set $lo (f32x4.neg (local.get $hi)))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (v128.store (local.get $p) (f32x4.pmin (f32x4.pmax (v128.load (local.get $p)) (local.get $lo)) (local.get $hi)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l))))

  ;; ------------------------------------------------------------------------------------------
  ;; Activations, four lanes at a time

  ;; e^x (Cephes expf): argument clamped to [−87.3, 88.376]; n = round(x·log2 e) by adding 1.5·2^23
  ;; (n lands in the low mantissa bits of t); Cody–Waite reduction r = x − n·ln 2; degree-5 polynomial;
  ;; × 2^n built in the exponent field (n ∈ [−126, 127]).
  (func $exp (param $x v128) (result v128)
    (local $t v128) (local $fx v128) (local $z v128) (local $y v128)
    (local.set $x (f32x4.pmax (f32x4.pmin (local.get $x) (v128.const f32x4 88.3762626647949 88.3762626647949 88.3762626647949 88.3762626647949)) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
    (local.set $t (f32x4.add (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $fx (f32x4.sub (local.get $t) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $x (f32x4.sub (local.get $x) (f32x4.mul (local.get $fx) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $x (f32x4.sub (local.get $x) (f32x4.mul (local.get $fx) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $z (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $y (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $x)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $x)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $x)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $x)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $x)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    (local.set $y (f32x4.add (f32x4.add (f32x4.mul (local.get $y) (local.get $z)) (local.get $x)) (v128.const f32x4 1 1 1 1)))
    (f32x4.mul (local.get $y)
      (i32x4.add (i32x4.shl (local.get $t) (i32.const 23)) (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000))))

  ;; σ(x) = 1 / (1 + e^−x)
  (func $sigmoid (param $x v128) (result v128)
    (f32x4.div (v128.const f32x4 1 1 1 1)
               (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp (f32x4.neg (local.get $x))))))

  ;; tanh: odd polynomial (Cephes tanhf) below |x| = 0.625, else sign(x)·(1 − 2/(e^{2|x|} + 1)).
  (func $tanh (param $x v128) (result v128)
    (local $ax v128) (local $z v128) (local $p v128) (local $big v128)
    (local.set $ax (f32x4.abs (local.get $x)))
    (local.set $big (f32x4.sub (v128.const f32x4 1 1 1 1)
      (f32x4.div (v128.const f32x4 2 2 2 2)
                 (f32x4.add (call $exp (f32x4.add (local.get $ax) (local.get $ax))) (v128.const f32x4 1 1 1 1)))))
    (local.set $big (v128.or (local.get $big) (v128.and (local.get $x) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))
    (local.set $z (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $p (v128.const f32x4 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $z)) (v128.const f32x4 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $z)) (v128.const f32x4 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $z)) (v128.const f32x4 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $z)) (v128.const f32x4 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1)))
    (local.set $p (f32x4.add (f32x4.mul (f32x4.mul (local.get $p) (local.get $z)) (local.get $x)) (local.get $x)))
    (v128.bitselect (local.get $p) (local.get $big)
      (f32x4.lt (local.get $ax) (v128.const f32x4 0.625 0.625 0.625 0.625))))

  ;; The LSTM `activation` operand: 0 none, 1 relu, 2 relu1, 3 relu6, 4 tanh, 5 sign bit, 6 sigmoid.
  ;; NaN handling matches the plain path's scalar comparisons.
  (func $act (param $x v128) (param $code i32) (result v128)
    (if (i32.eq (local.get $code) (i32.const 4)) (then (return (call $tanh (local.get $x)))))
    (if (i32.eq (local.get $code) (i32.const 0)) (then (return (local.get $x))))
    (if (i32.eq (local.get $code) (i32.const 6)) (then (return (call $sigmoid (local.get $x)))))
    ;; relu: x > 0 ? x : 0 (pmax(0, x) = 0 < x ? x : 0)
    (if (i32.eq (local.get $code) (i32.const 1)) (then (return (f32x4.pmax (v128.const f32x4 0 0 0 0) (local.get $x)))))
    ;; relu6: x > 6 ? 6 : x > 0 ? x : 0
    (if (i32.eq (local.get $code) (i32.const 3))
      (then (return (f32x4.pmin (v128.const f32x4 6 6 6 6) (f32x4.pmax (v128.const f32x4 0 0 0 0) (local.get $x))))))
    ;; relu1: x > 1 ? 1 : x < −1 ? −1 : x (NaN stays NaN)
    (if (i32.eq (local.get $code) (i32.const 2))
      (then (return (f32x4.pmin (f32x4.pmax (local.get $x) (v128.const f32x4 -1 -1 -1 -1)) (v128.const f32x4 1 1 1 1)))))
    ;; 5, sign bit: 1 when the sign bit is set (−0 included, NaN excluded), else 0
    (v128.and (v128.and (i32x4.shr_s (local.get $x) (i32.const 31)) (f32x4.eq (local.get $x) (local.get $x)))
              (v128.const f32x4 1 1 1 1)))

  ;; ------------------------------------------------------------------------------------------
  ;; The LSTM step without layer norm

  ;; Gates, cell and m for the B rows of Z at $z (which hold bias + W_x·x + W_h·h). Writes C_t
  ;; (clipped), and leaves the scratch values in Z: i (or 1 − f with CIFG, in the f block), f,
  ;; act(C_t) (g with the AOSP activation-none variant) and m = o ⊙ act(C_t). Without projection
  ;; m also goes to h. Two copies of one body: activation tanh (4) with every transcendental inlined,
  ;; and any activation (σ inlined, the cell activation through $act). σ and tanh are computed exactly
  ;; as $sigmoid and $tanh compute them.
  (func $cell_tanh (param $d i32) (param $z i32) (param $b0 i32) (param $b1 i32)
    (local $b i32) (local $B i32) (local $ns i32) (local $gc i32) (local $j i32) (local $nsb i32)
    (local $cifg i32) (local $peep i32) (local $code i32) (local $proj i32) (local $aosp i32)
    (local $zr i32) (local $cr i32) (local $hr i32) (local $of i32) (local $oc i32) (local $oo i32)
    (local $pi i32) (local $pf i32) (local $po i32) (local $hs i32) (local $clip f32) (local $useclip i32)
    (local $hi v128) (local $lo v128)
    (local $cp v128) (local $i v128) (local $f v128) (local $g v128) (local $o v128) (local $cn v128) (local $ac v128)
    (local $ex v128) (local $efx v128) (local $ez v128) (local $ey v128) (local $sx v128)
    (local $tax v128) (local $tb v128) (local $tz v128) (local $tp v128)
    (local.set $B (local.get $b1))
    (local.set $b (local.get $b0))
    (local.set $ns (i32.load offset=8 (local.get $d)))
    (local.set $nsb (i32.shl (local.get $ns) (i32.const 2)))
    (local.set $hs (i32.shl (i32.load offset=16 (local.get $d)) (i32.const 2)))
    (local.set $gc (i32.shl (i32.load offset=24 (local.get $d)) (i32.const 2)))
    (local.set $cifg (i32.load offset=28 (local.get $d)))
    (local.set $peep (i32.load offset=32 (local.get $d)))
    (local.set $code (i32.load offset=36 (local.get $d)))
    (local.set $clip (f32.load offset=40 (local.get $d)))
    (local.set $proj (i32.load offset=48 (local.get $d)))
    (local.set $aosp (i32.load offset=52 (local.get $d)))
    (local.set $pi (i32.load offset=68 (local.get $d)))
    (local.set $pf (i32.load offset=72 (local.get $d)))
    (local.set $po (i32.load offset=76 (local.get $d)))
    (local.set $useclip (f32.gt (local.get $clip) (f32.const 0)))
    (local.set $hi (f32x4.splat (local.get $clip)))
    (local.set $lo (f32x4.neg (local.get $hi)))
    ;; gate block byte offsets inside a row
    (local.set $of (select (i32.const 0) (local.get $nsb) (local.get $cifg)))
    (local.set $oc (i32.add (local.get $of) (local.get $nsb)))
    (local.set $oo (i32.add (local.get $oc) (local.get $nsb)))
    (local.set $zr (i32.add (local.get $z) (i32.mul (local.get $b0) (local.get $gc))))
    (local.set $cr (i32.add (i32.load offset=88 (local.get $d)) (i32.mul (local.get $b0) (local.get $nsb))))
    (local.set $hr (i32.add (i32.load offset=84 (local.get $d)) (i32.mul (local.get $b0) (local.get $hs))))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $j (i32.const 0))
        (block $units_done
          (loop $units
            (br_if $units_done (i32.ge_u (local.get $j) (local.get $nsb)))
            (local.set $cp (v128.load (i32.add (local.get $cr) (local.get $j))))
            ;; forget gate: peephole on C_{t−1}, σ
            (local.set $f (v128.load (i32.add (i32.add (local.get $zr) (local.get $of)) (local.get $j))))
            (if (local.get $peep) (then
              (local.set $f (f32x4.add (local.get $f) (f32x4.mul (v128.load (i32.add (local.get $pf) (local.get $j))) (local.get $cp))))))
            (local.set $sx (f32x4.neg (local.get $f)))
            (local.set $ex (f32x4.pmax (f32x4.pmin (local.get $sx) (v128.const f32x4 88.3762626647949 88.3762626647949 88.3762626647949 88.3762626647949)) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
            (local.set $efx (f32x4.add (f32x4.mul (local.get $ex) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
            (local.set $ey (f32x4.sub (local.get $efx) (v128.const f32x4 12582912 12582912 12582912 12582912)))
            (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
            (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
            (local.set $ez (f32x4.mul (local.get $ex) (local.get $ex)))
            (local.set $ey (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $ex)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
            (local.set $sx (f32x4.mul (f32x4.add (f32x4.add (f32x4.mul (local.get $ey) (local.get $ez)) (local.get $ex)) (v128.const f32x4 1 1 1 1))
              (i32x4.add (i32x4.shl (local.get $efx) (i32.const 23)) (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000))))
            (local.set $f (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $sx))))
            ;; input gate: 1 − f (CIFG), or peephole on C_{t−1}, σ
            (if (local.get $cifg)
              (then (local.set $i (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $f))))
              (else
                (local.set $i (v128.load (i32.add (local.get $zr) (local.get $j))))
                (if (local.get $peep) (then
                  (local.set $i (f32x4.add (local.get $i) (f32x4.mul (v128.load (i32.add (local.get $pi) (local.get $j))) (local.get $cp))))))
                (local.set $sx (f32x4.neg (local.get $i)))
                (local.set $ex (f32x4.pmax (f32x4.pmin (local.get $sx) (v128.const f32x4 88.3762626647949 88.3762626647949 88.3762626647949 88.3762626647949)) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
                (local.set $efx (f32x4.add (f32x4.mul (local.get $ex) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
                (local.set $ey (f32x4.sub (local.get $efx) (v128.const f32x4 12582912 12582912 12582912 12582912)))
                (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
                (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
                (local.set $ez (f32x4.mul (local.get $ex) (local.get $ex)))
                (local.set $ey (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $ex)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
                (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
                (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
                (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
                (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
                (local.set $sx (f32x4.mul (f32x4.add (f32x4.add (f32x4.mul (local.get $ey) (local.get $ez)) (local.get $ex)) (v128.const f32x4 1 1 1 1))
                  (i32x4.add (i32x4.shl (local.get $efx) (i32.const 23)) (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000))))
                (local.set $i (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $sx))))))
            ;; g = tanh(z_c); C_t = f ⊙ C_{t−1} + i ⊙ g; clip
            (local.set $g (v128.load (i32.add (i32.add (local.get $zr) (local.get $oc)) (local.get $j))))
            (local.set $tax (f32x4.abs (local.get $g)))
            (local.set $tb (f32x4.add (local.get $tax) (local.get $tax)))
            (local.set $ex (f32x4.pmax (f32x4.pmin (local.get $tb) (v128.const f32x4 88.3762626647949 88.3762626647949 88.3762626647949 88.3762626647949)) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
            (local.set $efx (f32x4.add (f32x4.mul (local.get $ex) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
            (local.set $ey (f32x4.sub (local.get $efx) (v128.const f32x4 12582912 12582912 12582912 12582912)))
            (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
            (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
            (local.set $ez (f32x4.mul (local.get $ex) (local.get $ex)))
            (local.set $ey (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $ex)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
            (local.set $tb (f32x4.mul (f32x4.add (f32x4.add (f32x4.mul (local.get $ey) (local.get $ez)) (local.get $ex)) (v128.const f32x4 1 1 1 1))
              (i32x4.add (i32x4.shl (local.get $efx) (i32.const 23)) (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000))))
            (local.set $tb (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.div (v128.const f32x4 2 2 2 2) (f32x4.add (local.get $tb) (v128.const f32x4 1 1 1 1)))))
            (local.set $tb (v128.or (local.get $tb) (v128.and (local.get $g) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))
            (local.set $tz (f32x4.mul (local.get $g) (local.get $g)))
            (local.set $tp (f32x4.add (f32x4.mul (v128.const f32x4 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3) (local.get $tz)) (v128.const f32x4 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2)))
            (local.set $tp (f32x4.add (f32x4.mul (local.get $tp) (local.get $tz)) (v128.const f32x4 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2)))
            (local.set $tp (f32x4.add (f32x4.mul (local.get $tp) (local.get $tz)) (v128.const f32x4 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1)))
            (local.set $tp (f32x4.add (f32x4.mul (local.get $tp) (local.get $tz)) (v128.const f32x4 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1)))
            (local.set $tp (f32x4.add (f32x4.mul (f32x4.mul (local.get $tp) (local.get $tz)) (local.get $g)) (local.get $g)))
            (local.set $g (v128.bitselect (local.get $tp) (local.get $tb) (f32x4.lt (local.get $tax) (v128.const f32x4 0.625 0.625 0.625 0.625))))
            (local.set $cn (f32x4.add (f32x4.mul (local.get $f) (local.get $cp)) (f32x4.mul (local.get $i) (local.get $g))))
            (if (local.get $useclip) (then
              (local.set $cn (f32x4.pmin (f32x4.pmax (local.get $cn) (local.get $lo)) (local.get $hi)))))
            (v128.store (i32.add (local.get $cr) (local.get $j)) (local.get $cn))
            ;; scratch values of pass 1: i (or 1 − f), f, g
            (if (i32.eqz (local.get $cifg)) (then
              (v128.store (i32.add (local.get $zr) (local.get $j)) (local.get $i))
              (v128.store (i32.add (i32.add (local.get $zr) (local.get $of)) (local.get $j)) (local.get $f)))
            (else
              (v128.store (i32.add (i32.add (local.get $zr) (local.get $of)) (local.get $j)) (local.get $i))))
            (v128.store (i32.add (i32.add (local.get $zr) (local.get $oc)) (local.get $j)) (local.get $g))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $units)))
        ;; pass 2 over the row: output gate and m (shorter loop bodies overlap better out of order)
        (local.set $j (i32.const 0))
        (block $units2_done
          (loop $units2
            (br_if $units2_done (i32.ge_u (local.get $j) (local.get $nsb)))
            (local.set $cn (v128.load (i32.add (local.get $cr) (local.get $j))))
            ;; output gate: peephole on the new C_t, σ
            (local.set $o (v128.load (i32.add (i32.add (local.get $zr) (local.get $oo)) (local.get $j))))
            (if (local.get $peep) (then
              (local.set $o (f32x4.add (local.get $o) (f32x4.mul (v128.load (i32.add (local.get $po) (local.get $j))) (local.get $cn))))))
            (local.set $sx (f32x4.neg (local.get $o)))
            (local.set $ex (f32x4.pmax (f32x4.pmin (local.get $sx) (v128.const f32x4 88.3762626647949 88.3762626647949 88.3762626647949 88.3762626647949)) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
            (local.set $efx (f32x4.add (f32x4.mul (local.get $ex) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
            (local.set $ey (f32x4.sub (local.get $efx) (v128.const f32x4 12582912 12582912 12582912 12582912)))
            (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
            (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
            (local.set $ez (f32x4.mul (local.get $ex) (local.get $ex)))
            (local.set $ey (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $ex)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
            (local.set $sx (f32x4.mul (f32x4.add (f32x4.add (f32x4.mul (local.get $ey) (local.get $ez)) (local.get $ex)) (v128.const f32x4 1 1 1 1))
              (i32x4.add (i32x4.shl (local.get $efx) (i32.const 23)) (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000))))
            (local.set $o (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $sx))))
            ;; m = o ⊙ act(C_t)
            (local.set $tax (f32x4.abs (local.get $cn)))
            (local.set $tb (f32x4.add (local.get $tax) (local.get $tax)))
            (local.set $ex (f32x4.pmax (f32x4.pmin (local.get $tb) (v128.const f32x4 88.3762626647949 88.3762626647949 88.3762626647949 88.3762626647949)) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
            (local.set $efx (f32x4.add (f32x4.mul (local.get $ex) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
            (local.set $ey (f32x4.sub (local.get $efx) (v128.const f32x4 12582912 12582912 12582912 12582912)))
            (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
            (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
            (local.set $ez (f32x4.mul (local.get $ex) (local.get $ex)))
            (local.set $ey (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $ex)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
            (local.set $tb (f32x4.mul (f32x4.add (f32x4.add (f32x4.mul (local.get $ey) (local.get $ez)) (local.get $ex)) (v128.const f32x4 1 1 1 1))
              (i32x4.add (i32x4.shl (local.get $efx) (i32.const 23)) (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000))))
            (local.set $tb (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.div (v128.const f32x4 2 2 2 2) (f32x4.add (local.get $tb) (v128.const f32x4 1 1 1 1)))))
            (local.set $tb (v128.or (local.get $tb) (v128.and (local.get $cn) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))
            (local.set $tz (f32x4.mul (local.get $cn) (local.get $cn)))
            (local.set $tp (f32x4.add (f32x4.mul (v128.const f32x4 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3) (local.get $tz)) (v128.const f32x4 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2)))
            (local.set $tp (f32x4.add (f32x4.mul (local.get $tp) (local.get $tz)) (v128.const f32x4 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2)))
            (local.set $tp (f32x4.add (f32x4.mul (local.get $tp) (local.get $tz)) (v128.const f32x4 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1)))
            (local.set $tp (f32x4.add (f32x4.mul (local.get $tp) (local.get $tz)) (v128.const f32x4 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1)))
            (local.set $tp (f32x4.add (f32x4.mul (f32x4.mul (local.get $tp) (local.get $tz)) (local.get $cn)) (local.get $cn)))
            (local.set $ac (v128.bitselect (local.get $tp) (local.get $tb) (f32x4.lt (local.get $tax) (v128.const f32x4 0.625 0.625 0.625 0.625))))
            (local.set $o (f32x4.mul (local.get $o) (local.get $ac)))
            ;; scratch values of pass 2: act(C_t), m
            (v128.store (i32.add (i32.add (local.get $zr) (local.get $oc)) (local.get $j)) (local.get $ac))
            (v128.store (i32.add (i32.add (local.get $zr) (local.get $oo)) (local.get $j)) (local.get $o))
            (if (i32.eqz (local.get $proj)) (then
              (v128.store (i32.add (local.get $hr) (local.get $j)) (local.get $o))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $units2)))
        (local.set $zr (i32.add (local.get $zr) (local.get $gc)))
        (local.set $cr (i32.add (local.get $cr) (local.get $nsb)))
        (local.set $hr (i32.add (local.get $hr) (local.get $hs)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows))))

  (func $cell_any (param $d i32) (param $z i32) (param $b0 i32) (param $b1 i32)
    (local $b i32) (local $B i32) (local $ns i32) (local $gc i32) (local $j i32) (local $nsb i32)
    (local $cifg i32) (local $peep i32) (local $code i32) (local $proj i32) (local $aosp i32)
    (local $zr i32) (local $cr i32) (local $hr i32) (local $of i32) (local $oc i32) (local $oo i32)
    (local $pi i32) (local $pf i32) (local $po i32) (local $hs i32) (local $clip f32) (local $useclip i32)
    (local $hi v128) (local $lo v128)
    (local $cp v128) (local $i v128) (local $f v128) (local $g v128) (local $o v128) (local $cn v128) (local $ac v128)
    (local $ex v128) (local $efx v128) (local $ez v128) (local $ey v128) (local $sx v128)
    (local $tax v128) (local $tb v128) (local $tz v128) (local $tp v128)
    (local.set $B (local.get $b1))
    (local.set $b (local.get $b0))
    (local.set $ns (i32.load offset=8 (local.get $d)))
    (local.set $nsb (i32.shl (local.get $ns) (i32.const 2)))
    (local.set $hs (i32.shl (i32.load offset=16 (local.get $d)) (i32.const 2)))
    (local.set $gc (i32.shl (i32.load offset=24 (local.get $d)) (i32.const 2)))
    (local.set $cifg (i32.load offset=28 (local.get $d)))
    (local.set $peep (i32.load offset=32 (local.get $d)))
    (local.set $code (i32.load offset=36 (local.get $d)))
    (local.set $clip (f32.load offset=40 (local.get $d)))
    (local.set $proj (i32.load offset=48 (local.get $d)))
    (local.set $aosp (i32.load offset=52 (local.get $d)))
    (local.set $pi (i32.load offset=68 (local.get $d)))
    (local.set $pf (i32.load offset=72 (local.get $d)))
    (local.set $po (i32.load offset=76 (local.get $d)))
    (local.set $useclip (f32.gt (local.get $clip) (f32.const 0)))
    (local.set $hi (f32x4.splat (local.get $clip)))
    (local.set $lo (f32x4.neg (local.get $hi)))
    ;; gate block byte offsets inside a row
    (local.set $of (select (i32.const 0) (local.get $nsb) (local.get $cifg)))
    (local.set $oc (i32.add (local.get $of) (local.get $nsb)))
    (local.set $oo (i32.add (local.get $oc) (local.get $nsb)))
    (local.set $zr (i32.add (local.get $z) (i32.mul (local.get $b0) (local.get $gc))))
    (local.set $cr (i32.add (i32.load offset=88 (local.get $d)) (i32.mul (local.get $b0) (local.get $nsb))))
    (local.set $hr (i32.add (i32.load offset=84 (local.get $d)) (i32.mul (local.get $b0) (local.get $hs))))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $j (i32.const 0))
        (block $units_done
          (loop $units
            (br_if $units_done (i32.ge_u (local.get $j) (local.get $nsb)))
            (local.set $cp (v128.load (i32.add (local.get $cr) (local.get $j))))
            ;; forget gate: peephole on C_{t−1}, σ
            (local.set $f (v128.load (i32.add (i32.add (local.get $zr) (local.get $of)) (local.get $j))))
            (if (local.get $peep) (then
              (local.set $f (f32x4.add (local.get $f) (f32x4.mul (v128.load (i32.add (local.get $pf) (local.get $j))) (local.get $cp))))))
            (local.set $sx (f32x4.neg (local.get $f)))
            (local.set $ex (f32x4.pmax (f32x4.pmin (local.get $sx) (v128.const f32x4 88.3762626647949 88.3762626647949 88.3762626647949 88.3762626647949)) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
            (local.set $efx (f32x4.add (f32x4.mul (local.get $ex) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
            (local.set $ey (f32x4.sub (local.get $efx) (v128.const f32x4 12582912 12582912 12582912 12582912)))
            (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
            (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
            (local.set $ez (f32x4.mul (local.get $ex) (local.get $ex)))
            (local.set $ey (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $ex)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
            (local.set $sx (f32x4.mul (f32x4.add (f32x4.add (f32x4.mul (local.get $ey) (local.get $ez)) (local.get $ex)) (v128.const f32x4 1 1 1 1))
              (i32x4.add (i32x4.shl (local.get $efx) (i32.const 23)) (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000))))
            (local.set $f (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $sx))))
            ;; input gate: 1 − f (CIFG), or peephole on C_{t−1}, σ
            (if (local.get $cifg)
              (then (local.set $i (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $f))))
              (else
                (local.set $i (v128.load (i32.add (local.get $zr) (local.get $j))))
                (if (local.get $peep) (then
                  (local.set $i (f32x4.add (local.get $i) (f32x4.mul (v128.load (i32.add (local.get $pi) (local.get $j))) (local.get $cp))))))
                (local.set $sx (f32x4.neg (local.get $i)))
                (local.set $ex (f32x4.pmax (f32x4.pmin (local.get $sx) (v128.const f32x4 88.3762626647949 88.3762626647949 88.3762626647949 88.3762626647949)) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
                (local.set $efx (f32x4.add (f32x4.mul (local.get $ex) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
                (local.set $ey (f32x4.sub (local.get $efx) (v128.const f32x4 12582912 12582912 12582912 12582912)))
                (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
                (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
                (local.set $ez (f32x4.mul (local.get $ex) (local.get $ex)))
                (local.set $ey (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $ex)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
                (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
                (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
                (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
                (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
                (local.set $sx (f32x4.mul (f32x4.add (f32x4.add (f32x4.mul (local.get $ey) (local.get $ez)) (local.get $ex)) (v128.const f32x4 1 1 1 1))
                  (i32x4.add (i32x4.shl (local.get $efx) (i32.const 23)) (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000))))
                (local.set $i (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $sx))))))
            ;; g = act(z_c); C_t = f ⊙ C_{t−1} + i ⊙ g; clip
            (local.set $g (v128.load (i32.add (i32.add (local.get $zr) (local.get $oc)) (local.get $j))))
            (local.set $g (call $act (local.get $g) (local.get $code)))
            (local.set $cn (f32x4.add (f32x4.mul (local.get $f) (local.get $cp)) (f32x4.mul (local.get $i) (local.get $g))))
            (if (local.get $useclip) (then
              (local.set $cn (f32x4.pmin (f32x4.pmax (local.get $cn) (local.get $lo)) (local.get $hi)))))
            (v128.store (i32.add (local.get $cr) (local.get $j)) (local.get $cn))
            ;; scratch values of pass 1: i (or 1 − f), f, g
            (if (i32.eqz (local.get $cifg)) (then
              (v128.store (i32.add (local.get $zr) (local.get $j)) (local.get $i))
              (v128.store (i32.add (i32.add (local.get $zr) (local.get $of)) (local.get $j)) (local.get $f)))
            (else
              (v128.store (i32.add (i32.add (local.get $zr) (local.get $of)) (local.get $j)) (local.get $i))))
            (v128.store (i32.add (i32.add (local.get $zr) (local.get $oc)) (local.get $j)) (local.get $g))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $units)))
        ;; pass 2 over the row: output gate and m (shorter loop bodies overlap better out of order)
        (local.set $j (i32.const 0))
        (block $units2_done
          (loop $units2
            (br_if $units2_done (i32.ge_u (local.get $j) (local.get $nsb)))
            (local.set $cn (v128.load (i32.add (local.get $cr) (local.get $j))))
            ;; output gate: peephole on the new C_t, σ
            (local.set $o (v128.load (i32.add (i32.add (local.get $zr) (local.get $oo)) (local.get $j))))
            (if (local.get $peep) (then
              (local.set $o (f32x4.add (local.get $o) (f32x4.mul (v128.load (i32.add (local.get $po) (local.get $j))) (local.get $cn))))))
            (local.set $sx (f32x4.neg (local.get $o)))
            (local.set $ex (f32x4.pmax (f32x4.pmin (local.get $sx) (v128.const f32x4 88.3762626647949 88.3762626647949 88.3762626647949 88.3762626647949)) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
            (local.set $efx (f32x4.add (f32x4.mul (local.get $ex) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
            (local.set $ey (f32x4.sub (local.get $efx) (v128.const f32x4 12582912 12582912 12582912 12582912)))
            (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
            (local.set $ex (f32x4.sub (local.get $ex) (f32x4.mul (local.get $ey) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
            (local.set $ez (f32x4.mul (local.get $ex) (local.get $ex)))
            (local.set $ey (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $ex)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
            (local.set $ey (f32x4.add (f32x4.mul (local.get $ey) (local.get $ex)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
            (local.set $sx (f32x4.mul (f32x4.add (f32x4.add (f32x4.mul (local.get $ey) (local.get $ez)) (local.get $ex)) (v128.const f32x4 1 1 1 1))
              (i32x4.add (i32x4.shl (local.get $efx) (i32.const 23)) (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000))))
            (local.set $o (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $sx))))
            ;; m = o ⊙ act(C_t) (g with the AOSP activation-none variant)
            (local.set $ac (select (v128.load (i32.add (i32.add (local.get $zr) (local.get $oc)) (local.get $j))) (call $act (local.get $cn) (local.get $code)) (local.get $aosp)))
            (local.set $o (f32x4.mul (local.get $o) (local.get $ac)))
            ;; scratch values of pass 2: act(C_t), m
            (v128.store (i32.add (i32.add (local.get $zr) (local.get $oc)) (local.get $j)) (local.get $ac))
            (v128.store (i32.add (i32.add (local.get $zr) (local.get $oo)) (local.get $j)) (local.get $o))
            (if (i32.eqz (local.get $proj)) (then
              (v128.store (i32.add (local.get $hr) (local.get $j)) (local.get $o))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $units2)))
        (local.set $zr (i32.add (local.get $zr) (local.get $gc)))
        (local.set $cr (i32.add (local.get $cr) (local.get $nsb)))
        (local.set $hr (i32.add (local.get $hr) (local.get $hs)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows))))

  (func $cell (export "cell") (param $d i32) (param $z i32)
    (if (i32.eq (i32.load offset=36 (local.get $d)) (i32.const 4))
      (then (call $cell_tanh (local.get $d) (local.get $z) (i32.const 0) (i32.load offset=0 (local.get $d))))
      (else (call $cell_any (local.get $d) (local.get $z) (i32.const 0) (i32.load offset=0 (local.get $d))))))

  ;; The cell of rows b0 … b1 − 1 only (threads split a step's cell by batch rows; rows are independent).
  (func (export "cell_rows") (param $d i32) (param $z i32) (param $b0 i32) (param $b1 i32)
    (if (i32.eq (i32.load offset=36 (local.get $d)) (i32.const 4))
      (then (call $cell_tanh (local.get $d) (local.get $z) (local.get $b0) (local.get $b1)))
      (else (call $cell_any (local.get $d) (local.get $z) (local.get $b0) (local.get $b1)))))

  ;; After the cell: h = W_proj·m + bias, clipped (with projection); then h → history row block k.
  (func $finish (export "finish") (param $d i32) (param $z i32) (param $k i32)
    (local $B i32) (local $hs i32) (local $h i32) (local $clip f32)
    (local.set $B (i32.load offset=0 (local.get $d)))
    (local.set $hs (i32.load offset=16 (local.get $d)))
    (local.set $h (i32.load offset=84 (local.get $d)))
    (if (i32.load offset=48 (local.get $d)) (then
      (call $init_rows (local.get $h) (local.get $hs) (local.get $B) (i32.load offset=64 (local.get $d)) (local.get $hs))
      ;; A = the m block of Z (gate block o), stride Gc; K = N
      (call $gemm_rec (local.get $d)
        (i32.add (local.get $z) (i32.shl (i32.mul (i32.sub (i32.load offset=20 (local.get $d)) (i32.const 1)) (i32.load offset=8 (local.get $d))) (i32.const 2)))
        (i32.load offset=24 (local.get $d)) (local.get $B) (i32.load offset=4 (local.get $d))
        (i32.load offset=60 (local.get $d)) (local.get $hs) (local.get $h) (local.get $hs))
      (local.set $clip (f32.load offset=44 (local.get $d)))
      (if (f32.gt (local.get $clip) (f32.const 0)) (then
        (call $clamp (local.get $h) (i32.mul (local.get $B) (local.get $hs)) (local.get $clip))))))
    (memory.copy
      (i32.add (i32.load offset=92 (local.get $d)) (i32.shl (i32.mul (i32.mul (local.get $k) (local.get $B)) (local.get $hs)) (i32.const 2)))
      (local.get $h)
      (i32.shl (i32.mul (local.get $B) (local.get $hs)) (i32.const 2))))

  ;; One whole step k without layer norm: Z_k += W_h·h; cell; projection; history.
  (func $step (export "step") (param $d i32) (param $k i32)
    (local $z i32) (local $B i32) (local $gc i32)
    (local.set $B (i32.load offset=0 (local.get $d)))
    (local.set $gc (i32.load offset=24 (local.get $d)))
    (local.set $z (i32.add (i32.load offset=80 (local.get $d)) (i32.shl (i32.mul (i32.mul (local.get $k) (local.get $B)) (local.get $gc)) (i32.const 2))))
    (call $gemm_rec (local.get $d) (i32.load offset=84 (local.get $d)) (i32.load offset=16 (local.get $d)) (local.get $B) (i32.load offset=12 (local.get $d))
                (i32.load offset=56 (local.get $d)) (local.get $gc) (local.get $z) (local.get $gc))
    (call $cell (local.get $d) (local.get $z))
    (call $finish (local.get $d) (local.get $z) (local.get $k)))

  ;; Steps k0 … k1−1 in one call.
  (func (export "steps") (param $d i32) (param $k0 i32) (param $k1 i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $k0) (local.get $k1)))
        (call $step (local.get $d) (local.get $k0))
        (local.set $k0 (i32.add (local.get $k0) (i32.const 1)))
        (br $l))))
)
