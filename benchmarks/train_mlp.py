"""Training speed of a small network, three ways: dlmath, a per-sample loop, and PyTorch.

The network of Chapter 11's benchmark: 196-100-50-10 with sigmoid activations, softmax
cross-entropy, plain SGD, on the 14x14 Fashion-MNIST sample shipped with dlmath
(6,000 training images), for minibatches of 64 and 256 in float64 and float32.

* ``dlmath``: the network a learner builds with ``dlmath.nn`` and trains with
  ``dlmath.optim.train`` (one epoch per timed run).
* ``per-sample``: the same arithmetic, but each minibatch is processed one example at a
  time in a Python loop (matrix-vector products, gradients summed over the batch), as many
  teaching codes do.
* ``PyTorch``: ``torch.nn`` with the same architecture, the same initial weights and the
  same minibatches, on the CPU, when PyTorch is installed.

All three start from the same weights and visit the same minibatches; the script checks
that they end at the same weights (up to rounding), so they do the same work. Each timing
is the best of several runs (the machine is shared; the minimum is the least disturbed).
It also reports the share of a dlmath training step spent in the matrix products.

Usage: ``.venv/bin/python benchmarks/train_mlp.py [--repeats 5] [--quick] [--threads both|default|1]
[--clock wall|cpu]``. It measures twice by default: with the libraries' default numbers of
threads, and with NumPy's BLAS and PyTorch limited to one thread (for these small matrices,
threads mostly add coordination cost, and on a busy machine a lot of it). On a shared
machine, ``--threads 1 --clock cpu`` gives the steadiest numbers.
Not a test: speed depends on the machine; the numbers go into the pull request.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from dlmath import nn, optim
from dlmath.datasets import load_fashion_mnist

SIZES = (196, 100, 50, 10)
LR = 0.1
SEED = 11


def build_dlmath(dtype):
    layers = []
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(nn.Dense(n_in, n_out, init="glorot", rng=SEED + i, dtype=dtype))
        if i < len(SIZES) - 2:
            layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)


def weights_of(net):
    """The (W, b) pairs of the dense layers, copied."""
    return [(layer.W.value.copy(), layer.b.value.copy()) for layer in net.layers if isinstance(layer, nn.Dense)]


def train_dlmath(net, X, y, batch_size):
    optim.train(net, nn.softmax_cross_entropy, X, y, optim.SGD(net.parameters(), lr=LR), epochs=1, batch_size=batch_size, rng=SEED)


# --- the per-sample reference --------------------------------------------------------------


def train_per_sample(weights, X, y, batches):
    """One epoch of minibatch SGD, each minibatch handled one example at a time (matrix-vector products)."""
    weights = [(W.copy(), b.copy()) for W, b in weights]
    n_layers = len(weights)
    for batch in batches:
        grads = [(np.zeros_like(W), np.zeros_like(b)) for W, b in weights]
        for i in batch:
            # forward, keeping every layer's activation
            activations = [X[i]]
            for k, (W, b) in enumerate(weights):
                z = activations[-1] @ W + b
                activations.append(1.0 / (1.0 + np.exp(-z)) if k < n_layers - 1 else z)
            logits = activations[-1]
            p = np.exp(logits - logits.max())
            p /= p.sum()
            delta = p
            delta[y[i]] -= 1.0  # d(cross-entropy)/d(logits) for this example
            # backward, accumulating this example's gradients
            for k in range(n_layers - 1, -1, -1):
                W, _ = weights[k]
                gW, gb = grads[k]
                gW += np.outer(activations[k], delta)
                gb += delta
                if k > 0:
                    a = activations[k]
                    delta = (delta @ W.T) * a * (1.0 - a)
        for (W, b), (gW, gb) in zip(weights, grads):
            W -= LR * gW / len(batch)
            b -= LR * gb / len(batch)
    return weights


# --- PyTorch ---------------------------------------------------------------------------------


def torch_model(weights, dtype):
    import torch

    layers = []
    for k, (W, b) in enumerate(weights):
        linear = torch.nn.Linear(W.shape[0], W.shape[1], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T.copy()))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if k < len(weights) - 1:
            layers.append(torch.nn.Sigmoid())
    return torch.nn.Sequential(*layers)


def train_torch(model, X, y, batches):
    import torch

    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    for batch in batches:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(X[batch]), y[batch])
        loss.backward()
        optimizer.step()


def torch_weights(model):
    linears = [m for m in model if m.__class__.__name__ == "Linear"]
    return [(m.weight.detach().numpy().T.copy(), m.bias.detach().numpy().copy()) for m in linears]


# --- timing ----------------------------------------------------------------------------------


#: The clock used by best_time: wall-clock time, or the CPU time of this process (all its
#: threads), which a busy shared machine disturbs much less; set from --clock.
CLOCK = time.perf_counter


def best_time(run, repeats):
    """The shortest of ``repeats`` runs of ``run()`` (seconds, on CLOCK)."""
    times = []
    for _ in range(repeats):
        start = CLOCK()
        run()
        times.append(CLOCK() - start)
    return min(times)


def matmul_share(X, batch_size, dtype, repeats):
    """Time of the 8 matrix products of a training step run alone, over the time of a whole step."""
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal((a, b)).astype(dtype) for a, b in zip(SIZES[:-1], SIZES[1:])]
    x = X[:batch_size]
    acts = [x]
    for W in Ws:
        acts.append(acts[-1] @ W)
    grads = [rng.standard_normal(a.shape).astype(dtype) for a in acts[1:]]

    def products():
        for _ in range(100):
            h = x
            for W in Ws:  # forward: 3 products
                h = h @ W
            for k in range(len(Ws) - 1, -1, -1):  # backward: 3 weight gradients, 2 input gradients
                acts[k].T @ grads[k]
                if k > 0:
                    grads[k] @ Ws[k].T

    net = build_dlmath(dtype)
    sgd = optim.SGD(net.parameters(), lr=LR)
    labels = np.zeros(batch_size, dtype=np.int64)

    def steps():
        for _ in range(100):
            loss, grad = nn.softmax_cross_entropy(net.forward(x), labels)
            net.backward(grad, input_grad=False)
            sgd.step()

    return best_time(products, repeats) / best_time(steps, repeats)


def measure(X64, y, n, dtype, batch_size, repeats, torch):
    """Samples per second of the three implementations, the matmul share, and whether they agree."""
    X = X64.astype(dtype)
    batches = list(optim.minibatches(n, batch_size, rng=SEED))  # the batches optim.train visits
    start_weights = weights_of(build_dlmath(dtype))
    t_dlmath = best_time(lambda: train_dlmath(build_dlmath(dtype), X, y, batch_size), repeats)
    t_sample = best_time(lambda: train_per_sample(start_weights, X, y, batches), max(1, repeats // 2))

    # the three must do the same work: compare the weights after one epoch
    net = build_dlmath(dtype)
    train_dlmath(net, X, y, batch_size)
    ours = weights_of(net)
    tol = 1e-9 if dtype == np.float64 else 2e-3

    def same(a, b):
        return all(np.allclose(u, v, atol=tol, rtol=0) for pa, pb in zip(a, b) for u, v in zip(pa, pb))

    agree = same(ours, train_per_sample(start_weights, X, y, batches))
    t_torch = None
    if torch is not None:
        tdtype = torch.float64 if dtype == np.float64 else torch.float32
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        tbatches = [torch.from_numpy(b) for b in batches]
        t_torch = best_time(lambda: train_torch(torch_model(start_weights, tdtype), Xt, yt, tbatches), repeats)
        model = torch_model(start_weights, tdtype)
        train_torch(model, Xt, yt, tbatches)
        agree = agree and same(ours, torch_weights(model))
    share = matmul_share(X, batch_size, dtype, repeats)
    rates = {"dlmath": n / t_dlmath, "per-sample": n / t_sample, "PyTorch": None if t_torch is None else n / t_torch}
    return rates, share, agree


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per measurement (the best is kept)")
    parser.add_argument("--quick", action="store_true", help="train on 1,536 examples instead of 6,000")
    parser.add_argument("--threads", default="both", choices=["both", "default", "1"], help="BLAS/PyTorch threads to measure with")
    parser.add_argument(
        "--clock", default="wall", choices=["wall", "cpu"],
        help="wall-clock time (default), or CPU time, steadier on a busy machine but only meaningful with --threads 1",
    )
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.perf_counter if args.clock == "wall" else time.process_time

    try:
        import torch
    except ImportError:
        torch = None
    from threadpoolctl import threadpool_info, threadpool_limits

    data = load_fashion_mnist("train", size=14)
    n = 1536 if args.quick else len(data.X)
    X64, y = data.X[:n], data.y[:n]
    blas = [f"{i['internal_api']} {i['version']} ({i['num_threads']} threads)" for i in threadpool_info() if i["user_api"] == "blas"]
    print(f"Training {'-'.join(map(str, SIZES))} (sigmoid), softmax cross-entropy, SGD lr={LR}, one epoch of {n} examples")
    print(f"Python {platform.python_version()}, NumPy {np.__version__} with {', '.join(blas)}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}, {args.clock} clock")
    if torch is None:
        print("PyTorch: not installed (pip install torch==2.13.0 to compare)")
    else:
        print(f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads by default)")
    default_torch_threads = torch.get_num_threads() if torch is not None else None
    settings = {"both": ["default", "1"], "default": ["default"], "1": ["1"]}[args.threads]
    for threads in settings:
        print()
        print(f"threads: {'library defaults' if threads == 'default' else 'one (BLAS and PyTorch limited to 1)'}; samples per second, best of {args.repeats} runs")
        header = (f"{'dtype':8} {'batch':>5} | {'dlmath':>9} {'per-sample':>10} {'PyTorch':>9} | "
                  f"{'dlmath/per-sample':>17} {'dlmath/PyTorch':>14} | {'matmul share':>12}")
        print(header)
        print("-" * len(header))
        limit = threadpool_limits(1, user_api="blas") if threads == "1" else threadpool_limits(None)
        if torch is not None:
            torch.set_num_threads(1 if threads == "1" else default_torch_threads)
        with limit:
            for dtype in (np.float64, np.float32):
                for batch_size in (64, 256):
                    rates, share, agree = measure(X64, y, n, dtype, batch_size, args.repeats, torch)
                    torch_rate = f"{rates['PyTorch']:9.0f}" if rates["PyTorch"] else f"{'-':>9}"
                    torch_ratio = f"{rates['dlmath'] / rates['PyTorch']:14.2f}" if rates["PyTorch"] else f"{'-':>14}"
                    print(
                        f"{np.dtype(dtype).name:8} {batch_size:5d} | {rates['dlmath']:9.0f} {rates['per-sample']:10.0f} {torch_rate} | "
                        f"{rates['dlmath'] / rates['per-sample']:17.1f} {torch_ratio} | {share:12.0%}"
                        + ("" if agree else "   (WARNING: final weights differ)")
                    )
    print()
    print("dlmath/per-sample and dlmath/PyTorch are ratios of samples per second (above 1: dlmath is faster).")
    print("matmul share: time of a step's 8 matrix products run alone / time of a whole dlmath step.")
    print("All implementations end the epoch at the same weights (checked), so they do the same work.")


if __name__ == "__main__":
    main()
