"""How fast optarena trains populations of layered networks, measured side by side with torch in one run.

For irprop- and adam, full batch, float64, no early stopping, it prints the
median throughput in network-epochs per second of:

- optarena's engine (`experiments.train_population`: the compiled layered
  network of `network.compiled_layered`, each optimizer's own numpy step, and
  all per-run bookkeeping);
- optarena in pure numpy (``accelerate=False``);
- torch, vectorized over the population: per-layer weight tensors of shape
  (N, out, in), batched matmul (``torch.baddbmm``), autograd and the
  ``torch.optim`` class, float64, with as many threads as optarena has cores;
- torch with ``torch.func``: one network's error written once, its gradient
  vmapped over the population (``vmap(grad(loss))``), then the same
  ``torch.optim`` step;

on XOR (2-2-1) at N = 10⁴ and 10⁵, the 10-5-10 encoder at N = 10³ and 10⁴
and two spirals (2-5-5-5-1 with shortcuts, tanh hidden units) at N = 100,
over 50 epochs (the span of a classic run) and over 200 (where irprop- has
driven many units into saturation), and the ratios engine/torch.

Saturated sigmoids cost optarena time that torch does not spend: σ′ is
computed from the pre-activation, so it stays a positive (often subnormal)
number up to |x| ≈ 745, where torch's y·(1 − y) is exactly 0 from |x| ≈ 37 on;
subnormal arithmetic is slow on x86.

    python benchmarks/bench_layered.py
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np

import network
import optimizers
from experiments import Budget, Targets, train_population

NO_STOPPING = Targets((1e-300,))  # no run ever stops early: every network does every epoch
TORCH_OPTIMIZERS = {"irprop-": ("Rprop", {"lr": 0.1}), "adam": ("Adam", {"lr": 0.05})}
CASES = (
    ("xor", 10_000),
    ("xor", 100_000),
    ("encoder-10-5-10", 1_000),
    ("encoder-10-5-10", 10_000),
    ("two-spirals", 100),
)
EPOCHS = (
    50,
    200,
)  # a classic run's span (irprop- meets the bit criterion in 20-40 epochs), and long saturated training


def starts(task, count: int) -> np.ndarray:
    return np.random.default_rng(0).uniform(-1, 1, size=(count, task.network.size))


def side_by_side(runs: dict, repeats: int) -> dict[str, float]:
    """Median wall time of each run, timed in turns (a, b, c, a, b, c, …) so drift in the machine hits all alike."""
    for run in runs.values():
        run()  # warm up: numba's compile or cache load, torch's first call
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def engine(task, name: str, count: int, epochs: int, accelerate: bool):
    weights, budget = starts(task, count), Budget(max_epochs=epochs)
    return lambda: train_population(
        optimizers.get(name), task, weights, budget=budget, targets=NO_STOPPING, accelerate=accelerate
    )


def torch_network(task, count: int):
    """The task's network in torch for a population: per-layer (N, out, in) weights and (N, 1, out) biases,
    and ``forward(layers, biases, inputs)`` that works batched (N, S, n_in) and, under vmap, for one network."""
    import torch

    net = task.network
    functions = [torch.tanh if net.activation == "tanh" else torch.sigmoid] * (len(net.layers) - 1)
    functions.append({"sigmoid": torch.sigmoid, "tanh": torch.tanh, "identity": lambda x: x}[net.output_activation])

    def forward(layers, biases, inputs):
        outputs = [inputs]
        for layer, W, b, f in zip(net.layers, layers, biases, functions, strict=True):
            a = torch.cat([outputs[k] for k in layer.sources], dim=-1) if len(layer.sources) > 1 else outputs[-1]
            outputs.append(f(torch.baddbmm(b, a, W.transpose(1, 2)) if W.dim() == 3 else a @ W.T + b))
        return outputs[-1]

    def parameters():
        unpacked = net.unpack(starts(task, count))
        return [torch.tensor(W) for W, _ in unpacked], [torch.tensor(b[:, None, :].copy()) for _, b in unpacked]

    return forward, parameters


def torch_vectorized(task, name: str, count: int, epochs: int):
    """Batched matmul over the population, autograd, torch.optim."""
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    forward, parameters = torch_network(task, count)
    inputs = torch.tensor(task.inputs).expand(count, *task.inputs.shape)
    targets = torch.tensor(task.targets)
    class_name, kwargs = TORCH_OPTIMIZERS[name]

    def run():
        layers, biases = parameters()
        optimizer = getattr(torch.optim, class_name)([p.requires_grad_() for p in layers + biases], **kwargs)
        for _ in range(epochs):
            optimizer.zero_grad()
            ((targets - forward(layers, biases, inputs)) ** 2 / 2).sum().backward()
            optimizer.step()

    return run


def torch_vmapped(task, name: str, count: int, epochs: int):
    """One network's error, its gradient vmapped over the population (torch.func), torch.optim."""
    import torch
    from torch.func import grad, vmap

    torch.set_num_threads(os.cpu_count() or 1)
    forward, parameters = torch_network(task, count)
    inputs, targets = torch.tensor(task.inputs), torch.tensor(task.targets)

    def error(layers, biases):
        return ((targets - forward(layers, [b[0] for b in biases], inputs)) ** 2 / 2).sum()

    gradient = vmap(grad(error, argnums=(0, 1)))
    class_name, kwargs = TORCH_OPTIMIZERS[name]

    def run():
        layers, biases = parameters()
        optimizer = getattr(torch.optim, class_name)(layers + biases, **kwargs)
        for _ in range(epochs):
            layer_grads, bias_grads = gradient(layers, biases)
            for p, g in zip(layers + biases, [*layer_grads, *bias_grads], strict=True):
                p.grad = g
            optimizer.step()

    return run


def throughput_table(repeats: int, tasks=None) -> None:
    try:
        import torch  # noqa: F401

        has_torch = True
    except ImportError:
        has_torch = False
    print("\nThroughput, network-epochs/s (median of repeats), full batch, float64, no early stopping")
    print(f"{'task':16} {'optimizer':9} {'N':>7} {'epochs':>6} {'engine':>10} {'numpy':>10} {'torch':>10}"
          f" {'vmap':>10}   engine/torch  engine/vmap  engine/numpy")  # fmt: skip
    cases = [case for case in CASES if tasks is None or case[0] in tasks]
    for (task_name, count), epochs in ((case, epochs) for case in cases for epochs in EPOCHS):
        task = network.get_task(task_name)
        for name in TORCH_OPTIMIZERS:
            runs = {"engine": engine(task, name, count, epochs, True)}
            if has_torch:
                runs["torch"] = torch_vectorized(task, name, count, epochs)
                runs["vmap"] = torch_vmapped(task, name, count, epochs)
            rates = {key: count * epochs / seconds for key, seconds in side_by_side(runs, repeats).items()}
            fast = rates["engine"]
            plain = count * 20 / side_by_side({"numpy": engine(task, name, count, 20, False)}, 1)["numpy"]
            others = "".join(f" {rates[key]:10.3g}" if key in rates else f" {'-':>10}" for key in ("torch", "vmap"))
            ratios = "".join(
                f" {fast / rates[key]:13.2f}×" if key in rates else f" {'-':>14}" for key in ("torch", "vmap")
            )
            print(f"{task_name:16} {name:9} {count:7d} {epochs:6d} {fast:10.3g} {plain:10.3g}{others}{ratios}"
                  f" {fast / plain:12.2f}×")  # fmt: skip
    if not has_torch:
        print("(torch is not installed: pip install torch to add its column)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed repeats per measurement (default 7)")
    parser.add_argument("--tasks", nargs="+", help="only these tasks (default: every case)")
    args = parser.parse_args()
    print(
        f"optarena layered-network benchmark on {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}"
    )
    throughput_table(args.repeats, args.tasks)


if __name__ == "__main__":
    main()
