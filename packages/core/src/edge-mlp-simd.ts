import { assemble, compile, instantiateWithMemory, op, type Code, type ValType, type WasmMemory } from './wasm-asm';

/**
 * WebAssembly (f32x4 SIMD) bodies of the RrmEdgeMlpAgg kernels (edge-mlp-kernel.ts), assembled at run time
 * for one layer configuration (H, M, number of edge channels, activations, aggregation, which node parts):
 * every loop over hidden units, message features and channels is unrolled with constant offsets, so
 * each edge is a straight run of vector instructions. Byte addresses throughout; H % 4 = M % 4 = 0.
 *
 *   fwd(c, a, we, w2, b2, mask, out, rows, k, e_0 … e_{fe−1})
 *   bwd(c, a, we, w2, w2t, b2, mask, out, dy, da, dc, dwe, dw2, db2, rows, k, e_0 … e_{fe−1})
 *
 * (absent node parts: address 0, never read). The backward pass recomputes each edge's hidden units and
 * message with the same instructions as the forward pass (bit-identical), so the max's tie test
 * msg = out is exact; it accumulates into da, dc, dwe, dw2, db2, which must be zeroed by the caller.
 */
export interface EdgeMlpConfig {
  readonly h: number;
  readonly m: number;
  readonly fe: number;
  readonly relu1: boolean;
  readonly relu2: boolean;
  readonly agg: 'max' | 'sum' | 'mean';
  readonly hasA: boolean;
  readonly hasC: boolean;
}

export interface EdgeMlpFunctions {
  fwd: (...args: number[]) => void;
  bwd: (...args: number[]) => void;
}

const g = op.localGet;
const set = op.localSet;
const cat = (...parts: Code[]): Code => parts.flat();

/** Locals allocated in order after the params. */
class Frame {
  readonly locals: ValType[] = [];
  constructor(readonly nParams: number) {}
  add(type: ValType): number {
    this.locals.push(type);
    return this.nParams + this.locals.length - 1;
  }
  many(type: ValType, n: number): number[] {
    return Array.from({ length: n }, () => this.add(type));
  }
}

const zero4: Code = cat(op.f32Const(0), op.f32x4Splat);

/**
 * Code for one edge's hidden units into v128 locals hid[]: z = Σ_ch e_ch·W_e[ch, :] + a_i + c_j, then
 * relu. `pe` holds the edge's byte offset in every channel, `pc` the sender's row of c, `pa` the
 * receiver's row of a; params E[ch] the channels' base addresses, WE the weights.
 */
function hiddenCode(cfg: EdgeMlpConfig, hid: number[], ev: number[], E: number[], pe: number, pa: number, pc: number, WE: number): Code {
  const code: Code[] = [];
  for (let ch = 0; ch < cfg.fe; ch++) code.push(g(E[ch]), g(pe), op.i32Add, op.f32Load(0), op.f32x4Splat, set(ev[ch]));
  for (let v = 0; v < cfg.h / 4; v++) {
    for (let ch = 0; ch < cfg.fe; ch++) {
      code.push(g(ev[ch]), g(WE), op.v128Load(ch * cfg.h * 4 + v * 16), op.f32x4Mul);
      if (ch > 0) code.push(op.f32x4Add);
    }
    if (cfg.fe === 0) code.push(zero4);
    if (cfg.hasA) code.push(g(pa), op.v128Load(v * 16), op.f32x4Add);
    if (cfg.hasC) code.push(g(pc), op.v128Load(v * 16), op.f32x4Add);
    if (cfg.relu1) code.push(zero4, op.f32x4Max);
    code.push(set(hid[v]));
  }
  return cat(...code);
}

/** Code for one edge's message into v128 locals msg[]: b2 + Σ_t hid_t·W_2[t, :], then relu. */
function messageCode(cfg: EdgeMlpConfig, hid: number[], msg: number[], s: number, W2: number, B2: number): Code {
  const code: Code[] = [];
  for (let q = 0; q < cfg.m / 4; q++) code.push(g(B2), op.v128Load(q * 16), set(msg[q]));
  for (let t = 0; t < cfg.h; t++) {
    code.push(g(hid[t >> 2]), op.f32x4ExtractLane(t & 3), op.f32x4Splat, set(s));
    for (let q = 0; q < cfg.m / 4; q++) code.push(g(msg[q]), g(s), g(W2), op.v128Load((t * cfg.m + q * 4) * 4), op.f32x4Mul, op.f32x4Add, set(msg[q]));
  }
  if (cfg.relu2) for (let q = 0; q < cfg.m / 4; q++) code.push(g(msg[q]), zero4, op.f32x4Max, set(msg[q]));
  return cat(...code);
}

/** do { body } while (++counter < limit), counter from 0 (limit ≥ 1). */
function countedLoop(counter: number, limit: number, body: Code): Code {
  return cat(op.i32Const(0), set(counter), op.loop, body, g(counter), op.i32Const(1), op.i32Add, op.localTee(counter), g(limit), op.i32LtU, op.brIf(0), op.end);
}

/** ptr += n */
const bump = (ptr: number, n: number): Code => cat(g(ptr), op.i32Const(n), op.i32Add, set(ptr));

function forward(cfg: EdgeMlpConfig): { params: ValType[]; locals: ValType[]; body: Code } {
  const [C, A, WE, W2, B2, MASK, OUT, ROWS, K] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const E = Array.from({ length: cfg.fe }, (_, ch) => 9 + ch);
  const f = new Frame(9 + cfg.fe);
  const [row, j, pm, pe, pc, pa, po] = f.many('i32', 7);
  const [mk, deg] = f.many('f32', 2);
  const hid = f.many('v128', cfg.h / 4);
  const msg = f.many('v128', cfg.m / 4);
  const acc = f.many('v128', cfg.m / 4);
  const ev = f.many('v128', cfg.fe);
  const s = f.add('v128');
  const H4 = cfg.h * 4;
  const M4 = cfg.m * 4;
  const rowBody = cat(
    // pm = mask + row·k·4, pe = row·k·4, pc = c + (row − row % k)·H·4, pa = a + row·H·4, po = out + row·M·4
    g(row), g(K), op.i32Mul, op.i32Const(4), op.i32Mul, op.localTee(pe), g(MASK), op.i32Add, set(pm),
    g(row), g(row), g(K), op.i32RemU, op.i32Sub, op.i32Const(H4), op.i32Mul, g(C), op.i32Add, set(pc),
    g(row), op.i32Const(H4), op.i32Mul, g(A), op.i32Add, set(pa),
    g(row), op.i32Const(M4), op.i32Mul, g(OUT), op.i32Add, set(po),
    ...acc.map((v) => cat(op.f32Const(cfg.agg === 'max' ? -Infinity : 0), op.f32x4Splat, set(v))),
    op.f32Const(0), set(deg),
    countedLoop(
      j,
      K,
      cat(
        g(pm), op.f32Load(0), op.localTee(mk), op.f32Const(0), op.f32Ne, op.if,
        g(deg), g(mk), op.f32Add, set(deg),
        hiddenCode(cfg, hid, ev, E, pe, pa, pc, WE),
        messageCode(cfg, hid, msg, s, W2, B2),
        ...msg.map((mv, q) =>
          cfg.agg === 'max' ? cat(g(acc[q]), g(mv), op.f32x4Max, set(acc[q])) : cat(g(acc[q]), g(mk), op.f32x4Splat, g(mv), op.f32x4Mul, op.f32x4Add, set(acc[q])),
        ),
        op.end,
        bump(pm, 4), bump(pe, 4), bump(pc, H4),
      ),
    ),
  );
  let store: Code;
  if (cfg.agg === 'max') {
    // No neighbour: 0.
    store = cat(g(deg), op.f32Const(0), op.f32Eq, op.if, ...acc.map((_, q) => cat(g(po), zero4, op.v128Store(q * 16))), op.else, ...acc.map((v, q) => cat(g(po), g(v), op.v128Store(q * 16))), op.end);
  } else if (cfg.agg === 'sum') {
    store = cat(...acc.map((v, q) => cat(g(po), g(v), op.v128Store(q * 16))));
  } else {
    store = cat(op.f32Const(1), g(deg), op.f32Const(1), op.f32Max, op.f32Div, op.f32x4Splat, set(s), ...acc.map((v, q) => cat(g(po), g(v), g(s), op.f32x4Mul, op.v128Store(q * 16))));
  }
  const body = countedLoop(row, ROWS, cat(rowBody, store));
  return { params: Array<ValType>(9 + cfg.fe).fill('i32'), locals: f.locals, body };
}

function backward(cfg: EdgeMlpConfig): { params: ValType[]; locals: ValType[]; body: Code } {
  const [C, A, WE, W2, W2T, B2, MASK, OUT, DY, DA, DC, DWE, DW2, DB2, ROWS, K] = Array.from({ length: 16 }, (_, i) => i);
  const E = Array.from({ length: cfg.fe }, (_, ch) => 16 + ch);
  const f = new Frame(16 + cfg.fe);
  const [row, j, pm, pe, pc, pa, po, pdc, pda] = f.many('i32', 9);
  const [mk, deg, scale] = f.many('f32', 3);
  const hid = f.many('v128', cfg.h / 4);
  const msg = f.many('v128', cfg.m / 4);
  const dmsg = f.many('v128', cfg.m / 4);
  const dh = f.many('v128', cfg.h / 4);
  const ev = f.many('v128', cfg.fe);
  const [s, any] = f.many('v128', 2);
  const H4 = cfg.h * 4;
  const M4 = cfg.m * 4;
  const rowStart = cat(
    g(row), g(K), op.i32Mul, op.i32Const(4), op.i32Mul, op.localTee(pe), g(MASK), op.i32Add, set(pm),
    g(row), g(row), g(K), op.i32RemU, op.i32Sub, op.i32Const(H4), op.i32Mul, op.localTee(pdc), g(C), op.i32Add, set(pc),
    g(pdc), g(DC), op.i32Add, set(pdc),
    g(row), op.i32Const(H4), op.i32Mul, op.localTee(pda), g(A), op.i32Add, set(pa),
    g(pda), g(DA), op.i32Add, set(pda),
    g(row), op.i32Const(M4), op.i32Mul, set(po), // offset of the row in out and dy
  );
  // mean: scale = 1 / max(Σ_j mask, 1), summed over the row first.
  const meanScale =
    cfg.agg === 'mean'
      ? cat(
          op.f32Const(0), set(deg),
          countedLoop(j, K, cat(g(deg), g(pm), g(j), op.i32Const(4), op.i32Mul, op.i32Add, op.f32Load(0), op.f32Add, set(deg))),
          op.f32Const(1), g(deg), op.f32Const(1), op.f32Max, op.f32Div, set(scale),
        )
      : cat();
  const dmsgCode = cat(
    zero4, set(any),
    ...dmsg.map((dv, q) => {
      const dy = cat(g(po), g(DY), op.i32Add, op.v128Load(q * 16));
      let gq: Code;
      if (cfg.agg === 'max') gq = cat(g(msg[q]), g(po), g(OUT), op.i32Add, op.v128Load(q * 16), op.f32x4Eq, dy, op.v128And);
      else if (cfg.agg === 'sum') gq = cat(g(mk), op.f32x4Splat, dy, op.f32x4Mul);
      else gq = cat(g(mk), g(scale), op.f32Mul, op.f32x4Splat, dy, op.f32x4Mul);
      if (cfg.relu2) gq = cat(gq, g(msg[q]), zero4, op.f32x4Gt, op.v128And);
      return cat(gq, op.localTee(dv), g(any), op.v128Or, set(any));
    }),
  );
  const accumulate = cat(
    // db2 += dmsg
    ...dmsg.map((dv, q) => cat(g(DB2), g(DB2), op.v128Load(q * 16), g(dv), op.f32x4Add, op.v128Store(q * 16))),
    // dW2[t, :] += hid_t · dmsg
    ...Array.from({ length: cfg.h }, (_, t) =>
      cat(
        g(hid[t >> 2]), op.f32x4ExtractLane(t & 3), op.f32x4Splat, set(s),
        ...dmsg.map((dv, q) => cat(g(DW2), g(DW2), op.v128Load((t * cfg.m + q * 4) * 4), g(s), g(dv), op.f32x4Mul, op.f32x4Add, op.v128Store((t * cfg.m + q * 4) * 4))),
      ),
    ),
    // dh = Σ_q dmsg_q · W2ᵀ[q, :], then relu'
    ...dh.map((v) => cat(zero4, set(v))),
    ...Array.from({ length: cfg.m }, (_, q) =>
      cat(
        g(dmsg[q >> 2]), op.f32x4ExtractLane(q & 3), op.f32x4Splat, set(s),
        ...dh.map((v, t4) => cat(g(v), g(s), g(W2T), op.v128Load((q * cfg.h + t4 * 4) * 4), op.f32x4Mul, op.f32x4Add, set(v))),
      ),
    ),
    ...(cfg.relu1 ? dh.map((v, t4) => cat(g(v), g(hid[t4]), zero4, op.f32x4Gt, op.v128And, set(v))) : []),
    // dc_j += dh, da_i += dh, dW_e[ch, :] += e_ch · dh
    ...(cfg.hasC ? dh.map((v, t4) => cat(g(pdc), g(pdc), op.v128Load(t4 * 16), g(v), op.f32x4Add, op.v128Store(t4 * 16))) : []),
    ...(cfg.hasA ? dh.map((v, t4) => cat(g(pda), g(pda), op.v128Load(t4 * 16), g(v), op.f32x4Add, op.v128Store(t4 * 16))) : []),
    ...Array.from({ length: cfg.fe }, (_, ch) =>
      cat(...dh.map((v, t4) => cat(g(DWE), g(DWE), op.v128Load((ch * cfg.h + t4 * 4) * 4), g(ev[ch]), g(v), op.f32x4Mul, op.f32x4Add, op.v128Store((ch * cfg.h + t4 * 4) * 4)))),
    ),
  );
  const edge = cat(
    g(pm), op.f32Load(0), op.localTee(mk), op.f32Const(0), op.f32Ne, op.if,
    hiddenCode(cfg, hid, ev, E, pe, pa, pc, WE),
    messageCode(cfg, hid, msg, s, W2, B2),
    dmsgCode,
    g(any), op.v128AnyTrue, op.if, accumulate, op.end,
    op.end,
    bump(pm, 4), bump(pe, 4), bump(pc, H4), bump(pdc, H4),
  );
  const body = countedLoop(row, ROWS, cat(rowStart, meanScale, countedLoop(j, K, edge)));
  return { params: Array<ValType>(16 + cfg.fe).fill('i32'), locals: f.locals, body };
}

const compiled = new Map<string, object>();
const bound = new Map<string, { memory: WasmMemory; fns: EdgeMlpFunctions }>();

/** The two functions for `cfg`, compiled once per configuration and instantiated on `memory` (the backend's heap). */
export function edgeMlpFunctions(cfg: EdgeMlpConfig, memory: WasmMemory): EdgeMlpFunctions {
  const key = JSON.stringify(cfg);
  const b = bound.get(key);
  if (b && b.memory === memory) return b.fns;
  let module = compiled.get(key);
  if (!module) {
    const fw = forward(cfg);
    const bw = backward(cfg);
    module = compile(assemble([
      { name: 'fwd', params: fw.params, results: [], locals: fw.locals, body: fw.body },
      { name: 'bwd', params: bw.params, results: [], locals: bw.locals, body: bw.body },
    ]));
    compiled.set(key, module);
  }
  const fns = instantiateWithMemory(module, memory) as unknown as EdgeMlpFunctions;
  bound.set(key, { memory, fns });
  return fns;
}
