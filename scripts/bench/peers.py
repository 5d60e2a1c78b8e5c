"""The Python peers of `npm run bench -- core`: PyTorch (CPU), and numpy with manual backprop and Adam, the seed
notebooks' own way — `numpy` in float64 (numpy's default dtype, what those notebooks computed in) and
`numpy-f32` (the same code in float32, our dtype) — on the same protocol as our trainer's bench line:

  one epoch over the first N MNIST training digits, batch B, Adam lr 1e-3 (β 0.9/0.999, ε 1e-8), ReLU hidden
  layers, softmax + cross-entropy, glorot-uniform weights and zero biases, shuffled once per epoch, no
  validation; inputs float32 scaled to [0, 1] before timing; one thread; a warm-up epoch over the first 1024
  digits first; with --repeat R the best of R epochs counts.

Prints one JSON line per (impl, net, batch): samples_per_s (wall clock) and cpu_samples_per_s (CPU time of
this process), with the library's version. Run by scripts/bench/core.ts from .venv/bench
(`npm run bench:peers` creates it); usable alone:

  .venv/bench/bin/python scripts/bench/peers.py --mnist ../shared/data/mnist --samples 10000 \
      --nets 784-128-64-10 --batches 64 --impls torch,numpy
"""

import os

# One thread for every BLAS / OpenMP pool, before numpy or torch is imported.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[var] = "1"

import argparse
import gzip
import json
import time

import numpy as np

WARMUP = 1024


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims)


def load(mnist, samples):
    images = idx(os.path.join(mnist, "train-images-idx3-ubyte.gz"))[: samples * 784]
    labels = idx(os.path.join(mnist, "train-labels-idx1-ubyte.gz"))[:samples]
    x = images.reshape(-1, 784).astype(np.float32) / np.float32(255)
    return x, labels.astype(np.int64)


def timed(n, repeat, fn):
    wall = cpu = 0.0
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall = max(wall, n / (time.perf_counter() - t0))
        cpu = max(cpu, n / max(time.process_time() - c0, 1e-9))
    return wall, cpu


def bench_numpy(layers, x, y, batch, repeat, dtype):
    rng = np.random.default_rng(0)
    L = len(layers) - 1
    x = x.astype(dtype)

    def glorot(k, n):
        lim = np.sqrt(6.0 / (k + n))
        return rng.uniform(-lim, lim, size=(k, n)).astype(dtype)

    W = [glorot(layers[l], layers[l + 1]) for l in range(L)]
    b = [np.zeros(layers[l + 1], dtype=dtype) for l in range(L)]
    params = W + b
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    lr, b1, b2, eps = dtype(1e-3), dtype(0.9), dtype(0.999), dtype(1e-8)
    step = [0]

    def train_batch(xb, yb):
        acts = [xb]
        h = xb
        for l in range(L):
            z = h @ W[l] + b[l]
            h = np.maximum(z, 0) if l < L - 1 else z
            acts.append(h)
        z = acts[-1]
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        p[np.arange(len(yb)), yb] -= 1
        dz = p / dtype(len(yb))
        grads_w = [None] * L
        grads_b = [None] * L
        for l in range(L - 1, -1, -1):
            grads_w[l] = acts[l].T @ dz
            grads_b[l] = dz.sum(axis=0)
            if l > 0:
                dz = (dz @ W[l].T) * (acts[l] > 0)
        step[0] += 1
        t = step[0]
        a = lr / (1 - b1**t)
        sc = dtype(1 / np.sqrt(1 - b2**t))
        for i, g in enumerate(grads_w + grads_b):
            m[i] *= b1
            m[i] += (1 - b1) * g
            v[i] *= b2
            v[i] += (1 - b2) * g * g
            params[i] -= a * m[i] / (np.sqrt(v[i]) * sc + eps)

    def epoch(xs, ys):
        perm = rng.permutation(len(xs))
        for s in range(0, len(xs), batch):
            i = perm[s : s + batch]
            train_batch(xs[i], ys[i])

    epoch(x[:WARMUP], y[:WARMUP])
    return timed(len(x), repeat, lambda: epoch(x, y))


def bench_torch(layers, x, y, batch, repeat):
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    mods = []
    for l in range(len(layers) - 1):
        lin = torch.nn.Linear(layers[l], layers[l + 1])
        torch.nn.init.xavier_uniform_(lin.weight)
        torch.nn.init.zeros_(lin.bias)
        mods.append(lin)
        if l < len(layers) - 2:
            mods.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*mods)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt = torch.from_numpy(x)
    yt = torch.from_numpy(y)

    def epoch(xs, ys):
        perm = torch.randperm(len(xs))
        for s in range(0, len(xs), batch):
            i = perm[s : s + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xs[i]), ys[i])
            loss.backward()
            opt.step()

    epoch(xt[:WARMUP], yt[:WARMUP])
    return timed(len(x), repeat, lambda: epoch(xt, yt))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mnist", required=True)
    ap.add_argument("--samples", type=int, default=10000)
    ap.add_argument("--nets", default="784-128-64-10,784-500-250-100-10")
    ap.add_argument("--batches", default="64")
    ap.add_argument("--impls", default="torch,numpy,numpy-f32")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    x, y = load(a.mnist, a.samples)
    impls = a.impls.split(",")
    versions = {"numpy": np.__version__, "numpy-f32": np.__version__}
    if "torch" in impls:
        import torch

        versions["torch"] = torch.__version__
    runs = {
        "torch": bench_torch,
        "numpy": lambda *r: bench_numpy(*r, np.float64),
        "numpy-f32": lambda *r: bench_numpy(*r, np.float32),
    }
    for net in a.nets.split(","):
        layers = [int(s) for s in net.split("-")]
        for batch in [int(s) for s in a.batches.split(",")]:
            for impl in impls:
                wall, cpu = runs[impl](layers, x, y, batch, a.repeat)
                line = {
                    "suite": "core",
                    "impl": impl,
                    "net": net,
                    "samples": len(x),
                    "batch": batch,
                    "samples_per_s": round(wall),
                    "cpu_samples_per_s": round(cpu),
                    "version": versions[impl],
                    "dtype": "f64" if impl == "numpy" else "f32",
                    "threads": 1,
                }
                print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
