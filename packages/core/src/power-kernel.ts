import { assemble, compile, instantiate, op, VecBuilder, type Code, type FuncDef, type ValType, type WasmMemory } from './wasm-asm';

/**
 * The shared engine of the scalar-channel power-control iterations (WMMSE in @rrm/teachers-wmmse,
 * FPLinQ in @rrm/teachers-fplinq). Both have the same shape per iteration, for one sample with K links:
 *
 *   evaluate:  n_i = Σ_{j≠i} g_ij p_j + σ²        (interference plus noise at receiver i: Goff · p + σ²)
 *              then element-wise: w_i = 1 + SINR_i, a_i, c_i   (algorithm-specific)
 *   update:    d_i = Σ_j g_ji c_j                  (what transmitter i causes at every receiver: Gᵀ · c)
 *              then element-wise: the new iterate and p        (algorithm-specific)
 *
 * so a kernel is described by three element-wise code fragments (`KernelSpec`), and this module emits a
 * WebAssembly module (f64x2 SIMD) around them: the two matrix–vector products with 4-row register
 * blocking, and the exports `begin`, `step` and `run`. One sample's data lives in the module's memory
 * (layout below); the JS driver (iterative-solver.ts) copies a sample in, runs, and reads the powers out.
 *
 * Memory layout for K links, with S = K rounded up to even (so vectors are whole f64x2 lane pairs);
 * padded rows, columns and lanes hold zeros, which every kernel keeps at p = 0, w = 1, c = 0:
 *   goff [S×S]  Goff[i][j] = g_ij for j ≠ i, 0 on the diagonal (row = receiver)
 *   gt   [S×S]  Gt[i][j] = g_ji (the transpose, diagonal included)
 *   gd, hd, lam [S]   g_ii, √g_ii, the weight λ_i
 *   p, v [S]          powers, and the algorithm's own iterate (WMMSE: amplitudes v = √p)
 *   n, w, a, c, d [S] interference+noise, 1 + SINR, numerator, vector for Gᵀ, denominator
 */
export interface KernelLayout {
  readonly users: number;
  readonly stride: number;
  readonly goff: number;
  readonly gt: number;
  readonly gd: number;
  readonly hd: number;
  readonly lam: number;
  readonly p: number;
  readonly v: number;
  readonly n: number;
  readonly w: number;
  readonly a: number;
  readonly c: number;
  readonly d: number;
  readonly bytes: number;
}

export function kernelLayout(users: number): KernelLayout {
  const stride = users + (users & 1);
  const matrix = stride * stride * 8;
  const vec = stride * 8;
  const names = ['gd', 'hd', 'lam', 'p', 'v', 'n', 'w', 'a', 'c', 'd'] as const;
  const vectors = {} as Record<(typeof names)[number], number>;
  names.forEach((name, i) => (vectors[name] = 2 * matrix + i * vec));
  return { users, stride, goff: 0, gt: matrix, ...vectors, bytes: 2 * matrix + names.length * vec };
}

/** Local indices available to a kernel's element-wise code. */
export interface KernelLocals {
  /** f64 params: σ², p_max, √p_max. */
  readonly noise: number;
  readonly pmax: number;
  readonly vmax: number;
  /** v128 scratch locals. */
  readonly tmp: readonly number[];
}

export interface KernelSpec {
  /** Unique per algorithm: compiled modules are cached by (name, K). */
  readonly name: string;
  /** Before the first evaluation (e.g. v = √p); may be empty. */
  begin(e: VecBuilder, L: KernelLayout, x: KernelLocals): Code;
  /** After n = Goff·p + σ²: must write w = 1 + SINR, c (multiplied by Gᵀ next) and a (a numerator). */
  evaluate(e: VecBuilder, L: KernelLayout, x: KernelLocals): Code;
  /** After d = Gᵀ·c: must write the new iterate and p. */
  update(e: VecBuilder, L: KernelLayout, x: KernelLocals): Code;
}

const TMP_LOCALS = 8;

/** Locals shared by every exported function: params first (noise, pmax, vmax[, iterations]). */
function localsFor(paramCount: number) {
  let next = paramCount;
  const i32 = () => next++;
  const L = {
    k: i32(), rb: i32(), yb: i32(), jb: i32(), addr: i32(), t: i32(),
    acc: [0, 0, 0, 0], xv: 0, tmp: [] as number[],
  };
  L.acc = L.acc.map(() => next++);
  L.xv = next++;
  for (let i = 0; i < TMP_LOCALS; i++) L.tmp.push(next++);
  const types: ValType[] = [...Array(6).fill('i32'), ...Array(5 + TMP_LOCALS).fill('v128')];
  return { L, types };
}

type Locals = ReturnType<typeof localsFor>['L'];

/**
 * y_i = init + Σ_j A[i][j] x_j for i < S, A an S×S row-major matrix at byte address `A`. Rows in
 * blocks of four share each load of x (4 independent f64x2 accumulators), then a two-row block when
 * S ≡ 2 (mod 4). `initLocal` names an f64 local added to every row (σ² for the interference), or null.
 */
function emitGemv(A: number, x: number, y: number, S: number, initLocal: number | null, L: Locals): Code {
  const rowBytes = S * 8;
  const code: Code = [];
  const zero = [...op.f64Const(0), ...op.f64x2Splat];
  const inner = (rows: number, rowBase: Code): Code => [
    ...L.acc.slice(0, rows).flatMap((a) => [...zero, ...op.localSet(a)]),
    ...op.i32Const(0), ...op.localSet(L.jb),
    ...op.loop,
    ...rowBase, ...op.localGet(L.jb), ...op.i32Add, ...op.localSet(L.addr),
    ...op.localGet(L.jb), ...op.v128Load(x), ...op.localSet(L.xv),
    ...L.acc.slice(0, rows).flatMap((a, r) => [
      ...op.localGet(a),
      ...op.localGet(L.addr), ...op.v128Load(A + r * rowBytes),
      ...op.localGet(L.xv), ...op.f64x2Mul, ...op.f64x2Add,
      ...op.localSet(a),
    ]),
    ...op.localGet(L.jb), ...op.i32Const(16), ...op.i32Add, ...op.localTee(L.jb),
    ...op.i32Const(rowBytes), ...op.i32LtU, ...op.brIf(0),
    ...op.end,
  ];
  // Store init + (lane0 + lane1) of each accumulator at y + yAddr + 8r.
  const stores = (rows: number, yAddr: Code): Code =>
    L.acc.slice(0, rows).flatMap((a, r) => [
      ...yAddr,
      ...(initLocal === null ? [] : op.localGet(initLocal)),
      ...op.localGet(a), ...op.f64x2ExtractLane(0),
      ...op.localGet(a), ...op.f64x2ExtractLane(1), ...op.f64Add,
      ...(initLocal === null ? [] : op.f64Add),
      ...op.f64Store(y + 8 * r),
    ]);
  const blocks = Math.floor(S / 4);
  if (blocks > 0) {
    code.push(
      ...op.i32Const(0), ...op.localSet(L.rb),
      ...op.i32Const(0), ...op.localSet(L.yb),
      ...op.loop,
      ...inner(4, op.localGet(L.rb)),
      ...stores(4, op.localGet(L.yb)),
      ...op.localGet(L.yb), ...op.i32Const(32), ...op.i32Add, ...op.localSet(L.yb),
      ...op.localGet(L.rb), ...op.i32Const(4 * rowBytes), ...op.i32Add, ...op.localTee(L.rb),
      ...op.i32Const(blocks * 4 * rowBytes), ...op.i32LtU, ...op.brIf(0),
      ...op.end,
    );
  }
  if (S % 4 === 2) {
    const base = blocks * 4 * rowBytes;
    code.push(...inner(2, op.i32Const(base)), ...stores(2, op.i32Const(blocks * 32)));
  }
  return code;
}

function buildModule(spec: KernelSpec, users: number): Uint8Array {
  const lay = kernelLayout(users);
  const S = lay.stride;
  const vecBytes = S * 8;
  const funcs: FuncDef[] = [];
  const make = (fname: string, withIterations: boolean, body: (L: Locals, e: VecBuilder, x: KernelLocals) => Code) => {
    const params: ValType[] = withIterations ? ['f64', 'f64', 'f64', 'i32'] : ['f64', 'f64', 'f64'];
    const { L, types } = localsFor(params.length);
    const e = new VecBuilder(L.k);
    const x: KernelLocals = { noise: 0, pmax: 1, vmax: 2, tmp: L.tmp };
    funcs.push({ name: fname, params, results: [], locals: types, body: body(L, e, x) });
  };
  const evaluate = (L: Locals, e: VecBuilder, x: KernelLocals): Code => [
    ...emitGemv(lay.goff, lay.p, lay.n, S, x.noise, L),
    ...e.loop(vecBytes, spec.evaluate(e, lay, x)),
  ];
  const update = (L: Locals, e: VecBuilder, x: KernelLocals): Code => [
    ...emitGemv(lay.gt, lay.c, lay.d, S, null, L),
    ...e.loop(vecBytes, spec.update(e, lay, x)),
  ];
  const begin = (L: Locals, e: VecBuilder, x: KernelLocals): Code => {
    const pre = spec.begin(e, lay, x);
    return [...(pre.length ? e.loop(vecBytes, pre) : []), ...evaluate(L, e, x)];
  };
  make('begin', false, begin);
  make('step', false, (L, e, x) => [...update(L, e, x), ...evaluate(L, e, x)]);
  // run(iterations): begin, then `iterations` steps.
  make('run', true, (L, e, x) => [
    ...begin(L, e, x),
    ...op.block,
    ...op.i32Const(0), ...op.localGet(3), ...op.i32LtU, 0x45 /* i32.eqz */, ...op.brIf(0),
    ...op.i32Const(0), ...op.localSet(L.t),
    ...op.loop,
    ...update(L, e, x),
    ...evaluate(L, e, x),
    ...op.localGet(L.t), ...op.i32Const(1), ...op.i32Add, ...op.localTee(L.t),
    ...op.localGet(3), ...op.i32LtU, ...op.brIf(0),
    ...op.end,
    ...op.end,
  ]);
  return assemble(funcs, pagesFor(lay));
}

function pagesFor(lay: KernelLayout): number {
  return Math.max(1, Math.ceil(lay.bytes / 65536));
}

const moduleCache = new Map<string, object>();

/**
 * One sample-at-a-time instance of a kernel for K links: its own memory, typed-array views on it, and
 * the exported functions. Allocate once per solve call; every method below is allocation-free.
 */
export class PowerKernel {
  readonly layout: KernelLayout;
  readonly memory: WasmMemory;
  /** Views on the kernel's memory (length S each; matrices S×S). */
  readonly goff: Float64Array;
  readonly gt: Float64Array;
  readonly gd: Float64Array;
  readonly hd: Float64Array;
  readonly lam: Float64Array;
  readonly p: Float64Array;
  readonly w: Float64Array;
  private readonly beginFn: (noise: number, pmax: number, vmax: number) => void;
  private readonly stepFn: (noise: number, pmax: number, vmax: number) => void;
  private readonly runFn: (noise: number, pmax: number, vmax: number, iterations: number) => void;

  constructor(spec: KernelSpec, users: number) {
    const key = `${spec.name}:${users}`;
    let compiled = moduleCache.get(key);
    if (!compiled) {
      compiled = compile(buildModule(spec, users));
      moduleCache.set(key, compiled);
    }
    const lay = (this.layout = kernelLayout(users));
    const { memory, exports } = instantiate(compiled, pagesFor(lay));
    this.memory = memory;
    const S = lay.stride;
    const view = (byteOffset: number, length: number) => new Float64Array(memory.buffer, byteOffset, length);
    this.goff = view(lay.goff, S * S);
    this.gt = view(lay.gt, S * S);
    this.gd = view(lay.gd, S);
    this.hd = view(lay.hd, S);
    this.lam = view(lay.lam, S);
    this.p = view(lay.p, S);
    this.w = view(lay.w, S);
    this.beginFn = exports.begin as PowerKernel['beginFn'];
    this.stepFn = exports.step as PowerKernel['stepFn'];
    this.runFn = exports.run as PowerKernel['runFn'];
  }

  /** Copies sample b of rx-tx power gains [B,K,K] and its weights [B,K] into the kernel's memory. */
  loadSample(gains: Float64Array, weights: Float64Array, b: number): void {
    const K = this.layout.users;
    const S = this.layout.stride;
    const { goff, gt, gd, hd, lam } = this;
    const base = b * K * K;
    for (let i = 0; i < K; i++) {
      const row = base + i * K;
      for (let j = 0; j < K; j++) {
        const g = gains[row + j];
        goff[i * S + j] = g;
        gt[j * S + i] = g;
      }
      const gii = gains[row + i];
      goff[i * S + i] = 0;
      gd[i] = gii;
      hd[i] = Math.sqrt(gii);
      lam[i] = weights[b * K + i];
    }
  }

  /** Starting powers: K values from `src` at `offset`. */
  setPowers(src: Float64Array, offset: number): void {
    const K = this.layout.users;
    const p = this.p;
    for (let i = 0; i < K; i++) p[i] = src[offset + i];
    if (this.layout.stride > K) p[K] = 0;
  }

  readPowers(dst: Float64Array, offset: number): void {
    const K = this.layout.users;
    const p = this.p;
    for (let i = 0; i < K; i++) dst[offset + i] = p[i];
  }

  /** Prepares the iterate from p and evaluates it. */
  begin(noise: number, pmax: number): void {
    this.beginFn(noise, pmax, Math.sqrt(pmax));
  }

  /** One update of the iterate, then evaluation of the new powers. */
  step(noise: number, pmax: number): void {
    this.stepFn(noise, pmax, Math.sqrt(pmax));
  }

  /** begin() and `iterations` steps, in one call. */
  run(noise: number, pmax: number, iterations: number): void {
    this.runFn(noise, pmax, Math.sqrt(pmax), iterations);
  }

  /** Weighted sum rate Σ λ_i log2(1 + SINR_i) of the last evaluated powers (bit/s/Hz). */
  objective(): number {
    const K = this.layout.users;
    const { w, lam } = this;
    let acc = 0;
    for (let i = 0; i < K; i++) acc += lam[i] * Math.log2(w[i]);
    return acc;
  }
}
