#!/usr/bin/env python3
"""Independent NumPy reference for the WMMSE and FP (FPLinQ power) teachers of @rrm/teachers-wmmse and
@rrm/teachers-fplinq: batched, float64, one thread, written from the equations (in the style of Sun et al.'s
"Learning to optimize" `WMMSE_sum_rate`, vectorised over the batch), not from the TypeScript code.

Convention (ARCHITECTURE.md): G[b, i, j] is the POWER gain from transmitter j to receiver i (row = receiver).
Objective: sum_i w_i log2(1 + SINR_i), SINR_i = G_ii p_i / (sum_{j != i} G_ij p_j + sigma^2), 0 <= p <= pmax.

WMMSE (Shi et al. 2011, scalar case; h = sqrt(G), v = sqrt(p)):
    u_i = h_ii v_i / (sum_j G_ij v_j^2 + sigma^2)
    w_i = 1 / (1 - u_i h_ii v_i)
    v_i = clip(lam_i w_i u_i h_ii / sum_j lam_j w_j u_j^2 G_ji, 0, sqrt(pmax))
FP with the Lagrangian dual and quadratic transforms (Shen & Yu 2018, FPLinQ power step):
    gamma_i = G_ii p_i / (sum_{j != i} G_ij p_j + sigma^2)
    y_i     = sqrt(lam_i (1 + gamma_i) G_ii p_i) / (sum_j G_ij p_j + sigma^2)
    p_i     = min(pmax, lam_i (1 + gamma_i) y_i^2 G_ii / (sum_j y_j^2 G_ji)^2)

Commands:
    solve    --algo wmmse|fp --gains G.npy [--weights W.npy] [--init P.npy] [--noise 1] [--pmax 1]
             [--iterations 100] --out P.npy          (gains rx-tx power gains [B,K,K]; writes powers [B,K])
    bench    --algo wmmse|fp [--users 20] [--batch 1000] [--iterations 100] [--repeats 7] [--json]
             (median wall time of the solve on exponential(1) gains; ms per 1000 samples and per sample)
    fixture  --out DIR [--batch 50] [--users 6] [--seed 20261122]
             (gains.npy, weights.npy ~ U(0,1), wmmse100.npy, fp100.npy, meta.json; sigma^2 = 1, pmax = 1)
"""
import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")  # one thread: the comparison is per core

import argparse
import json
import sys
import time

import numpy as np


def _mv(A, x):
    """Batched matrix-vector product: (B,K,K) @ (B,K) -> (B,K)."""
    return np.matmul(A, x[..., None])[..., 0]


def _weights(weights, B, K):
    if weights is None:
        return np.ones((B, K))
    w = np.asarray(weights, dtype=np.float64)
    return np.broadcast_to(w, (B, K)) if w.shape == (K,) else w.reshape(B, K)


def sum_rate(G, p, weights=None, noise=1.0):
    """Weighted sum rate per sample (bit/s/Hz)."""
    B, K, _ = G.shape
    lam = _weights(weights, B, K)
    gd = np.einsum("bii->bi", G)
    interference = _mv(G, p) - gd * p + noise
    return (lam * np.log2(1.0 + gd * p / interference)).sum(-1)


def wmmse(G, weights=None, noise=1.0, pmax=1.0, iterations=100, p0=None):
    B, K, _ = G.shape
    lam = _weights(weights, B, K)
    gd = np.einsum("bii->bi", G)
    hd = np.sqrt(gd)
    Gt = np.ascontiguousarray(np.swapaxes(G, 1, 2))  # Gt[b, i, j] = G[b, j, i]
    vmax = np.sqrt(pmax)
    v = np.full((B, K), vmax) if p0 is None else np.sqrt(np.asarray(p0, dtype=np.float64).reshape(B, K))

    def receivers(v):
        u = hd * v / (_mv(G, v * v) + noise)
        w = 1.0 / (1.0 - u * hd * v)
        return u, w

    u, w = receivers(v)
    for _ in range(iterations):
        num = lam * w * u * hd
        den = _mv(Gt, lam * w * u * u)
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where((den > 0) | (num > 0), np.clip(num / den, 0.0, vmax), v)
        u, w = receivers(v)
    return v * v


def fp(G, weights=None, noise=1.0, pmax=1.0, iterations=100, p0=None):
    B, K, _ = G.shape
    lam = _weights(weights, B, K)
    gd = np.einsum("bii->bi", G)
    Goff = G * (1.0 - np.eye(K))
    Gt = np.ascontiguousarray(np.swapaxes(G, 1, 2))
    p = np.full((B, K), float(pmax)) if p0 is None else np.asarray(p0, dtype=np.float64).reshape(B, K).copy()
    for _ in range(iterations):
        interference = _mv(Goff, p) + noise
        total = interference + gd * p
        gamma = gd * p / interference
        y = np.sqrt(lam * (1.0 + gamma) * gd * p) / total
        den = _mv(Gt, y * y)
        num = lam * (1.0 + gamma) * y * y * gd
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where((den > 0) | (num > 0), np.minimum(pmax, num / (den * den)), p)
    return p


ALGOS = {"wmmse": wmmse, "fp": fp}


def bench(algo, users, batch, iterations, repeats, seed=0):
    G = np.random.default_rng(seed).exponential(size=(batch, users, users))
    f = ALGOS[algo]
    f(G[: min(batch, 50)], iterations=2)  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f(G, iterations=iterations)
        times.append(time.perf_counter() - t)
    med = float(np.median(times)) * 1e3
    return {
        "algo": algo, "users": users, "batch": batch, "iterations": iterations, "threads": 1,
        "median_ms": med, "min_ms": min(times) * 1e3,
        "ms_per_1000": med * 1000.0 / batch, "ms_per_sample": med / batch,
        "numpy": np.__version__,
    }


def fixture(out, batch, users, seed):
    rng = np.random.default_rng(seed)
    G = rng.exponential(size=(batch, users, users))  # |h|^2, h ~ CN(0,1)
    W = rng.uniform(size=(batch, users))
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "gains.npy"), G)
    np.save(os.path.join(out, "weights.npy"), W)
    pw = wmmse(G, W, 1.0, 1.0, 100)
    pf = fp(G, W, 1.0, 1.0, 100)
    np.save(os.path.join(out, "wmmse100.npy"), pw)
    np.save(os.path.join(out, "fp100.npy"), pf)
    meta = {
        "generator": "tools/reference/wmmse_numpy.py fixture",
        "seed": seed, "batch": batch, "users": users, "noise": 1.0, "pmax": 1.0, "iterations": 100,
        "gains": "exponential(1) rx-tx power gains [B,K,K]", "weights": "U(0,1) per sample [B,K]",
        "mean_weighted_sum_rate": {
            "wmmse100": float(sum_rate(G, pw, W).mean()),
            "fp100": float(sum_rate(G, pf, W).mean()),
            "full": float(sum_rate(G, np.ones((batch, users)), W).mean()),
        },
        "numpy": np.__version__,
    }
    with open(os.path.join(out, "meta.json"), "w") as fh:
        json.dump(meta, fh, indent=2)
        fh.write("\n")
    return meta


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("solve")
    s.add_argument("--algo", choices=sorted(ALGOS), default="wmmse")
    s.add_argument("--gains", required=True)
    s.add_argument("--weights")
    s.add_argument("--init")
    s.add_argument("--noise", type=float, default=1.0)
    s.add_argument("--pmax", type=float, default=1.0)
    s.add_argument("--iterations", type=int, default=100)
    s.add_argument("--out", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--algo", choices=sorted(ALGOS), default="wmmse")
    b.add_argument("--users", type=int, default=20)
    b.add_argument("--batch", type=int, default=1000)
    b.add_argument("--iterations", type=int, default=100)
    b.add_argument("--repeats", type=int, default=7)
    b.add_argument("--json", action="store_true")
    f = sub.add_parser("fixture")
    f.add_argument("--out", required=True)
    f.add_argument("--batch", type=int, default=50)
    f.add_argument("--users", type=int, default=6)
    f.add_argument("--seed", type=int, default=20261122)
    a = ap.parse_args(argv)

    if a.cmd == "solve":
        G = np.load(a.gains).astype(np.float64)
        if G.ndim == 2:
            G = G[None]
        W = np.load(a.weights) if a.weights else None
        P0 = np.load(a.init) if a.init else None
        p = ALGOS[a.algo](G, W, a.noise, a.pmax, a.iterations, P0)
        np.save(a.out, np.ascontiguousarray(p))
        print(json.dumps({"algo": a.algo, "batch": G.shape[0], "users": G.shape[1],
                          "mean_sum_rate": float(sum_rate(G, p, W, a.noise).mean())}))
    elif a.cmd == "bench":
        r = bench(a.algo, a.users, a.batch, a.iterations, a.repeats)
        if a.json:
            print(json.dumps(r))
        else:
            print(f"{a.algo}-{a.iterations} K={a.users} B={a.batch}: {r['median_ms']:.1f} ms "
                  f"({r['ms_per_1000']:.1f} ms/1000 samples, {r['ms_per_sample']:.4f} ms/sample), numpy {r['numpy']}, 1 thread")
    else:
        print(json.dumps(fixture(a.out, a.batch, a.users, a.seed), indent=2))


if __name__ == "__main__":
    sys.exit(main())
