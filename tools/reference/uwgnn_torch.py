#!/usr/bin/python3
"""PyTorch CPU timing reference for the default UWGNN (Debian python3-torch 1.13).

TIMING REFERENCE ONLY: same architecture, shapes and work as our TensorFlow.js model, so
`npm run bench` can print "ours / PyTorch" ratios. Weights are drawn from the same distributions
(Glorot uniform, zero biases) but not the same values, channels are different draws, and no claim of
numerical identity with the TypeScript model is made.

Mirrors (paths relative to the repository root):
  packages/models-gnn/src/uwgnn.ts            UwgnnModel / UwgnnLayer, UWGNN_DEFAULTS
  packages/models-gnn/src/message-passing.ts  MessagePassing (phi -> masked max -> psi), pairwiseConstEdges
  packages/models-gnn/src/mlp.ts              Mlp (Glorot uniform weights, zero biases, relu hidden layers)
  packages/models-gnn/src/features.ts         'log-sat' gain features, weight feature
  packages/models-gnn/src/graph.ts            DenseGraph, maskedMax (absent edges shifted by -1e30)
  packages/core/src/dense.ts                  dense layer y = act(x W + b)
  packages/core/src/objective-tensor.ts       sumRateTensor (training loss)
  tools/src/bench-models.ts                   trainStep / inferPerSample (what the numbers are compared with)

Default UWGNN (layers 3, dim d = 4, message 16, hidden 8, one weight-shared layer, relu):
  inputs: gains g [B,K,K] (g[b,i,j] = |h_ij|^2, tx j -> rx i), direct g_ii [B,K], weights lam [B,K],
          mask [B,K,K] (1 off the diagonal: the complete interference graph), sigma^2 = 1, p_max = 1.
  features ('log-sat', s = g p_max / sigma^2): f(g) = (ln(1 + s), s / (1 + s))
          h_ii = f(g_ii) [B,K,2];  e_in[b,i,j] = f(g_ij), e_out[b,i,j] = f(g_ji) [B,K,K,2]
  v = 1 [B,K,1]; 3 times (same parameters):
    hv    = [h_ii, v]                                              [B,K,3]
    a_u,i = max_{j != i} MLP1([hv_j, e_in_ij])      MLP1 5 -> 8 relu -> 16 (linear)
    u     = MLP2([hv_i, a_u,i])                     MLP2 19 -> 8 relu -> 4 (linear)
    w     = MLP3([hv_i, u_i])                       MLP3 7 -> 8 relu -> 4 (linear)
    a_v,i = max_{j != i} MLP4([u_j, w_j, e_out_ij]) MLP4 10 -> 8 relu -> 16 (linear)
    v     = sigmoid(MLP5([lam_i, h_ii, u_i, w_i, a_v,i]))  MLP5 27 -> 8 relu -> 1
  p = p_max * v^2.  Parameters: 192 + 196 + 100 + 232 + 233 = 953.
  Masked max as graph.ts: m_i = max_j (msg_ij + (mask_ij - 1) 1e30) * 1[deg_i > 0]; the v step uses the
  transposed mask (edges i -> j), as uwgnn.ts does.
  MLP1/MLP4's first layer is factored as in message-passing.ts (pairwiseConstEdges): the node part
  x_j W_x + b once per node [B,K,8], broadcast over i and added to the edge part e_ij W_e, so the edge
  tensors are [B,K,K,8] (hidden) and [B,K,K,16] (messages), over all K^2 pairs (diagonal masked).
  `--form naive` instead concatenates [x_j, e_ij] into a dense [B,K,K,F] tensor and applies the full
  Linear per edge (the equations' per-edge work, which our macsPerSample counts, plus the masked diagonal).

Loss (objective-tensor.ts): -mean_b sum_i lam_i log2(1 + g_ii p_i / (sum_{j != i} g_ij p_j + sigma^2)),
  lam = 1. Gains: Rayleigh, |h|^2 ~ Exp(1), float32.

Timing (conventions of ../shared/bench/torch_reference.py): torch.set_num_threads(BENCH_THREADS, default 2),
warm-up, then `--runs` runs of `--steps` calls; reported = MEDIAN over runs of (run time / steps), MIN
alongside.  Training: B = 64, Adam(lr=1e-3), one step = zero_grad + forward + loss + backward + step,
cycling over a pool of 16 pre-generated batches.  Inference: B = 500, forward only (features included,
as in our model's apply) under torch.no_grad(), reported per sample (batch time / 500).  The masked max is
spelled the way PyTorch runs it fastest: max(dim).values in training; in inference both it and amax are
timed and the faster is reported (amax wins at K = 10, max().values at K = 50 on a 2-core x86 VM).
The MALLOC_* settings (as bench-models.ts passes them to torch_reference.py) keep glibc from handing the
large [B,K,K,F] buffers back to the OS after every op; without them K = 50 runs far slower (page faults).

Run (from the repository root):
  BENCH_THREADS=1 OMP_WAIT_POLICY=PASSIVE MALLOC_MMAP_THRESHOLD_=1073741824 \\
  MALLOC_TRIM_THRESHOLD_=17179869184 /usr/bin/python3 tools/reference/uwgnn_torch.py --json /tmp/uwgnn.json
"""
import os

THREADS = int(os.environ.get("BENCH_THREADS", "2"))
for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_v, str(THREADS))

import argparse
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(THREADS)

# UWGNN_DEFAULTS (uwgnn.ts)
LAYERS, DIM, MESSAGE, HIDDEN = 3, 4, 16, 8
H_DIM = 2  # 'log-sat' features per gain
BIG = 1e30  # graph.ts: added (negated) to absent edges before the max
LN2 = math.log(2.0)


def glorot_linear(fan_in, fan_out):
    """mlp.ts initWeights('glorot'): U(+-sqrt(6/(in+out))) weights, zero biases."""
    lin = nn.Linear(fan_in, fan_out)
    nn.init.xavier_uniform_(lin.weight)
    nn.init.zeros_(lin.bias)
    return lin


class Mlp(nn.Module):
    """mlp.ts Mlp: [in -> hidden (relu) -> out (out_act)]."""

    def __init__(self, fan_in, widths, out_act="none"):
        super().__init__()
        dims = [fan_in, *widths]
        self.layers = nn.ModuleList(glorot_linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.out_act = out_act

    def forward(self, x, start=0):
        for l in range(start, len(self.layers)):
            x = self.layers[l](x)
            if l < len(self.layers) - 1:
                x = torch.relu(x)
            elif self.out_act == "sigmoid":
                x = torch.sigmoid(x)
        return x

    def macs(self):
        return sum(lin.in_features * lin.out_features for lin in self.layers)


def masked_max(msg, bias, has, op="values"):
    """graph.ts maskedMax: msg [B,K,K,F], bias = (mask - 1) * BIG [B,K,K,1], has = 1[deg > 0] [B,K,1].
    Two spellings of the same value, whichever is faster for PyTorch:
      "values"  torch.max(dim).values: its backward (a scatter to the saved arg-max index) makes a training
                step ~1.5x faster at K = 50 than amax's (an equality mask split over ties); it is also the
                faster forward at large K.
      "amax"    no indices: the faster forward at small K (inference, K = 10).
    Ties get the whole gradient at one index ("values"), split evenly ("amax"), or the whole gradient at
    every tied index (graph.ts): all valid subgradients, the timing is unaffected."""
    shifted = msg + bias
    return (shifted.max(dim=2).values if op == "values" else shifted.amax(dim=2)) * has


class MessagePassing(nn.Module):
    """message-passing.ts MessagePassing with targetDim 0 (phi reads the sender x_j and the edge e_ij),
    max aggregation, psi on [x_i, m_i]."""

    def __init__(self, source_dim, edge_dim, node_dim, message, update, out_act, form):
        super().__init__()
        self.source_dim, self.form = source_dim, form
        self.max_op = "values"
        self.phi = Mlp(source_dim + edge_dim, message)  # inputs [x_j, e_ij]; hidden relu, linear output
        self.psi = Mlp(node_dim + message[-1], update, out_act)

    def message(self, source, edge):
        first = self.phi.layers[0]
        B, K, Fs = source.shape
        if self.form == "factored":
            # pairwiseConstEdges: z_ij = relu(e_ij W_e + (x_j W_x + b)), node part once per node.
            c = F.linear(source, first.weight[:, :Fs], first.bias)  # [B,K,H]
            z = torch.matmul(edge, first.weight[:, Fs:].t()) + c.unsqueeze(1)  # [b,i,j] uses x_j
        else:
            # Naive: the concatenation [x_j, e_ij] per edge through the full first Linear.
            xj = source.unsqueeze(1).expand(B, K, K, Fs)
            z = first(torch.cat([xj, edge], dim=-1))
        return self.phi(torch.relu(z), start=1)  # [B,K,K,M]

    def forward(self, x, source, edge, bias, has):
        m = masked_max(self.message(source, edge), bias, has, self.max_op)
        return self.psi(torch.cat([x, m], dim=-1))

    def macs(self, K):
        """As message-passing.ts macs(): phi per directed edge, psi per node (the equations' count)."""
        return K * (K - 1) * self.phi.macs() + K * self.psi.macs()

    def macs_executed(self, K):
        """What forward() multiplies: both forms run phi over all K^2 pairs (diagonal masked afterwards)."""
        l0, rest = self.phi.layers[0], self.phi.macs() - self.phi.layers[0].in_features * self.phi.layers[0].out_features
        if self.form == "factored":
            first = K * self.source_dim * l0.out_features + K * K * (l0.in_features - self.source_dim) * l0.out_features
        else:
            first = K * K * l0.in_features * l0.out_features
        return first + K * K * rest + K * self.psi.macs()


class UwgnnLayer(nn.Module):
    """uwgnn.ts UwgnnLayer: (13)-(14) convU, (15) mlp3, (16)-(17) convV."""

    def __init__(self, form):
        super().__init__()
        self.convU = MessagePassing(H_DIM + 1, H_DIM, H_DIM + 1, [HIDDEN, MESSAGE], [HIDDEN, DIM], "none", form)
        self.mlp3 = Mlp(H_DIM + 1 + DIM, [HIDDEN, DIM])
        self.convV = MessagePassing(2 * DIM, H_DIM, 1 + H_DIM + 2 * DIM, [HIDDEN, MESSAGE], [HIDDEN, 1], "sigmoid", form)

    def forward(self, v, hii, lam, e_in, e_out, g_in, g_out):
        hv = torch.cat([hii, v], dim=-1)
        u = self.convU(hv, hv, e_in, *g_in)
        w = self.mlp3(torch.cat([hv, u], dim=-1))
        uw = torch.cat([u, w], dim=-1)
        x5 = torch.cat([lam, hii, uw], dim=-1)
        return self.convV(x5, uw, e_out, *g_out)

    def macs(self, K):
        return self.convU.macs(K) + K * self.mlp3.macs() + self.convV.macs(K)

    def macs_executed(self, K):
        return self.convU.macs_executed(K) + K * self.mlp3.macs() + self.convV.macs_executed(K)


def log_sat(g, scale):
    """features.ts 'log-sat': (ln(1 + s), s / (1 + s)), s = g * scale, stacked last."""
    s = g * scale
    return torch.stack([torch.log1p(s), s / (s + 1.0)], dim=-1)


class Uwgnn(nn.Module):
    """uwgnn.ts UwgnnModel with UWGNN_DEFAULTS (shareWeights: one layer applied LAYERS times)."""

    def __init__(self, form="factored", max_op="values"):
        super().__init__()
        self.layer = UwgnnLayer(form)
        self.set_max_op(max_op)

    def set_max_op(self, op):
        self.layer.convU.max_op = self.layer.convV.max_op = op
        return self

    def forward(self, gains, direct, weights, mask, noise=1.0, pmax=1.0):
        B, K = direct.shape
        scale = pmax / noise if noise > 0 else pmax
        mask4 = mask.unsqueeze(-1)
        has = (mask.sum(dim=2, keepdim=True) > 0).to(gains.dtype)  # in-degree > 0
        mask_t = mask.transpose(1, 2)
        has_t = (mask_t.sum(dim=2, keepdim=True) > 0).to(gains.dtype)
        g_in = ((mask4 - 1.0) * BIG, has)
        g_out = ((mask_t.unsqueeze(-1) - 1.0) * BIG, has_t)  # v step: the transposed graph
        hii = log_sat(direct, scale)
        lam = weights.unsqueeze(-1)
        e_in = log_sat(gains, scale)  # [b,i,j] = f(g_ij)
        e_out = log_sat(gains.transpose(1, 2), scale)  # [b,i,j] = f(g_ji)
        v = gains.new_ones(B, K, 1)
        for _ in range(LAYERS):
            v = self.layer(v, hii, lam, e_in, e_out, g_in, g_out)
        return v.reshape(B, K).square() * pmax

    def macs_per_sample(self, K):
        return LAYERS * self.layer.macs(K)

    def macs_executed(self, K):
        return LAYERS * self.layer.macs_executed(K)


def sum_rate(gains, direct, p, noise, weights):
    """objective-tensor.ts sumRateTensor (bits): per-sample weighted sum rate [B]."""
    K = p.shape[1]
    off = gains * (1.0 - torch.eye(K, dtype=gains.dtype)).reshape(1, K, K)
    interf = torch.bmm(off, p.unsqueeze(-1)).squeeze(-1) + noise
    rate = torch.log1p(direct * p / interf) / LN2
    return (rate * weights).sum(dim=1)


def make_batch(B, K, gen):
    """Rayleigh power gains |h|^2 ~ Exp(1) (float32), lam = 1, complete interference graph."""
    g = torch.empty(B, K, K, dtype=torch.float64).exponential_(1.0, generator=gen).float()
    direct = torch.diagonal(g, dim1=1, dim2=2).contiguous()
    weights = torch.ones(B, K)
    mask = (1.0 - torch.eye(K)).expand(B, K, K).contiguous()
    return g, direct, weights, mask


def time_runs(fn, warmup, runs, steps):
    for _ in range(warmup):
        fn()
    per = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(steps):
            fn()
        per.append((time.perf_counter() - t0) / steps)
    return float(np.median(per)), float(np.min(per)), per


def model_name(form):
    return "UWGNN" if form == "factored" else "UWGNN (naive concat)"


def bench_train(form, K, B, args, gen):
    torch.manual_seed(args.seed)
    model = Uwgnn(form, args.train_max)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    pool = [make_batch(B, K, gen) for _ in range(16)]
    it = [0]

    def step():
        g, d, w, m = pool[it[0] % len(pool)]
        it[0] += 1
        opt.zero_grad(set_to_none=True)
        loss = -sum_rate(g, d, model(g, d, w, m), 1.0, w).mean()
        loss.backward()
        opt.step()
        return loss

    med, mn, per = time_runs(step, args.warmup, args.runs, args.steps)
    nparam = sum(p.numel() for p in model.parameters())
    name = model_name(form)
    print(f"| train | {name} | {K} | {B} | {nparam} | {model.macs_per_sample(K)} | {model.macs_executed(K)} | "
          f"{med*1e3:.3f} ({mn*1e3:.3f}) | {B/med:.0f} |", flush=True)
    return {"name": name, "K": K, "B": B, "params": nparam, "macs_per_sample": model.macs_per_sample(K),
            "macs_per_sample_executed": model.macs_executed(K), "max_op": args.train_max, "step_ms_median": med * 1e3,
            "step_ms_min": mn * 1e3, "samples_per_s": B / med, "runs_ms": [x * 1e3 for x in per]}


def bench_infer(form, K, B, args, gen):
    torch.manual_seed(args.seed)
    model = Uwgnn(form).eval()
    g, d, w, m = make_batch(B, K, gen)

    def infer():
        with torch.no_grad():
            return model(g, d, w, m)

    # "best": both spellings of the max are timed (the faster depends on K) and the faster median is reported.
    ops = ["values", "amax"] if args.infer_max == "best" else [args.infer_max]
    timed = {}
    for op in ops:
        model.set_max_op(op)
        timed[op] = time_runs(infer, args.infer_warmup, args.infer_runs, args.infer_steps)
    op = min(timed, key=lambda o: timed[o][0])
    med, mn, per = timed[op]
    nparam = sum(p.numel() for p in model.parameters())
    name = model_name(form)
    others = "".join(f"; {o}: {t[0]/B*1e3:.4f}" for o, t in timed.items() if o != op)
    print(f"| infer | {name} | {K} | {B} | {nparam} | {model.macs_per_sample(K)} | {model.macs_executed(K)} | "
          f"{med*1e3:.2f} ({mn*1e3:.2f}) per batch = {med/B*1e3:.4f} ({mn/B*1e3:.4f}) per sample "
          f"[max: {op}{others}] | {B/med:.0f} |", flush=True)
    return {"name": name, "K": K, "B": B, "params": nparam, "macs_per_sample": model.macs_per_sample(K),
            "macs_per_sample_executed": model.macs_executed(K), "max_op": op, "ms_per_sample": med / B * 1e3,
            "ms_per_sample_min": mn / B * 1e3, "batch_ms_median": med * 1e3, "runs_ms": [x * 1e3 for x in per],
            "ms_per_sample_by_max_op": {o: t[0] / B * 1e3 for o, t in timed.items()}}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--what", nargs="+", choices=["train", "infer"], default=["train", "infer"])
    ap.add_argument("--users", nargs="+", type=int, default=[10, 50], help="K for the training step")
    ap.add_argument("--infer-users", nargs="+", type=int, default=[10, 30, 50], help="K for inference")
    ap.add_argument("--batch", type=int, default=64, help="training batch")
    ap.add_argument("--infer-batch", type=int, default=500, help="inference batch")
    ap.add_argument("--form", choices=["factored", "naive", "both"], default="factored",
                    help="first message layer: factored as our implementation (reported as 'UWGNN'), or the "
                         "naive per-edge concatenation ('UWGNN (naive concat)')")
    ap.add_argument("--train-max", choices=["values", "amax"], default="values",
                    help="spelling of the masked max in training (see masked_max)")
    ap.add_argument("--infer-max", choices=["best", "values", "amax"], default="best",
                    help="spelling of the masked max in inference; best: time both, report the faster")
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--infer-warmup", type=int, default=3)
    ap.add_argument("--infer-runs", type=int, default=15)
    ap.add_argument("--infer-steps", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    forms = ["factored", "naive"] if args.form == "both" else [args.form]
    env = {"torch": torch.__version__, "threads": torch.get_num_threads(),
           "interop_threads": torch.get_num_interop_threads(), "python": sys.version.split()[0],
           "mkldnn": torch.backends.mkldnn.is_available(), "args": vars(args)}
    print(f"# torch {env['torch']}, intra-op threads {env['threads']}; train: warmup {args.warmup}, median of "
          f"{args.runs} runs x {args.steps} steps; infer: warmup {args.infer_warmup}, median of {args.infer_runs} "
          f"runs x {args.infer_steps} batches")
    res = {"torch_version": torch.__version__, "threads": torch.get_num_threads(), "env": env,
           "models": [], "inference": []}
    print("| what | model | K | batch | params | MACs/sample (equations) | MACs/sample (executed) "
          "| ms: median (min) | samples/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    if "train" in args.what:
        for form in forms:
            for K in args.users:
                res["models"].append(bench_train(form, K, args.batch, args, gen))
    if "infer" in args.what:
        for form in forms:
            for K in args.infer_users:
                res["inference"].append(bench_infer(form, K, args.infer_batch, args, gen))
    if args.json:
        os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=1)
        print(f"# wrote {args.json}")


if __name__ == "__main__":
    main()
