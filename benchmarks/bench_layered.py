"""How fast optarena trains populations of layered networks, measured side by side with torch in one run.

For irprop-, adam and quickprop, in full batch and per sample, float64, no
early stopping, it prints the median throughput in network-epochs per second of:

- optarena's engine (`experiments.train_population`: the fused layered kernel of
  `experiments.running.kernels.fused_layered`, with all per-run bookkeeping);
- optarena in pure numpy (``accelerate=False``), over fewer epochs;
- torch, vectorized over the population: per-layer weight tensors of shape
  (N, out, in), batched matmul (``torch.baddbmm``), autograd and the
  ``torch.optim`` class (Quickprop, which torch lacks, as the same elementwise
  rule in torch tensor operations), float64, with as many threads as optarena
  has cores; per sample, one update per sample in a shuffled order, as optarena;

on XOR (2-2-1) and the 10-5-10 encoder at N = 10³ and 10⁴ and two spirals
(2-5-5-5-1 with shortcuts, tanh hidden units) at N = 10² and 10³, and the
ratio engine/torch.  Then the rules of 2016–2024 against Adam in the fused
kernel (`rules_table`), optarena's Muon against torch.optim.Muon on the same
populations (`muon_table`), held-out units, and last the machine's flop limit
and the 10-5-10 kernel's share of it (`flop_limit`).

Saturated sigmoids cost optarena time that torch does not spend: σ′ is
computed from the pre-activation, so it stays a positive (often subnormal)
number up to |x| ≈ 745, where torch's y·(1 − y) is exactly 0 from |x| ≈ 37 on;
subnormal arithmetic is slow on x86.

    python benchmarks/bench_layered.py [--repeats 3] [--tasks xor] [--parts layered rules muon held-out flops]
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
from experiments import Budget, Schedule, Targets, train_population
from optimizers.layout import with_layout

NO_STOPPING = Targets((1e-300,))  # no run ever stops early: every network does every epoch
TORCH_OPTIMIZERS = {"irprop-": ("Rprop", {"lr": 0.1}), "adam": ("Adam", {"lr": 0.05}), "quickprop": (None, {})}
CASES = (  # task, N, epochs: about a classic run's span (irprop- meets the bit criterion in 20-40 epochs)
    ("xor", 1_000, 100),
    ("xor", 10_000, 100),
    ("encoder-10-5-10", 1_000, 100),
    ("encoder-10-5-10", 10_000, 50),
    ("two-spirals", 100, 20),
    ("two-spirals", 1_000, 10),
)
SCHEDULES = ("full-batch", "per-sample")


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


def engine(task, name: str, count: int, epochs: int, schedule: str, accelerate: bool):
    weights, budget = starts(task, count), Budget(max_epochs=epochs)
    return lambda: train_population(
        optimizers.get(name),
        task,
        weights,
        schedule=Schedule(schedule),
        budget=budget,
        targets=NO_STOPPING,
        accelerate=accelerate,
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


def torch_quickprop(parameters, learning_rate=0.55, max_growth=1.75):
    """`optimizers.quickprop.Quickprop`'s rule (no weight decay) in torch operations, a torch.optim-like step."""
    import torch

    shrink = max_growth / (1 + max_growth)
    state = [(torch.zeros_like(p), torch.zeros_like(p)) for p in parameters]

    def step():
        with torch.no_grad():
            for k, p in enumerate(parameters):
                prev_slope, prev_update = state[k]
                slope = -p.grad
                direction = torch.sign(prev_update)
                downhill = slope * direction > 0
                capped = (slope * direction > shrink * prev_slope * direction) | (slope == prev_slope)
                denominator = torch.where(capped, 1.0, prev_slope - slope)
                secant = torch.where(capped, max_growth * prev_update, slope / denominator * prev_update)
                gradient_step = learning_rate * slope
                update = torch.where(direction == 0, gradient_step, torch.where(downhill, gradient_step, 0.0) + secant)
                p.add_(update)
                state[k] = (slope, update)

    return step


def torch_vectorized(task, name: str, count: int, epochs: int, schedule: str):
    """Batched matmul over the population, autograd, torch.optim (or `torch_quickprop`); per sample, one update
    per sample in a shuffled order."""
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    forward, parameters = torch_network(task, count)
    inputs = torch.tensor(task.inputs).expand(count, *task.inputs.shape)
    targets = torch.tensor(task.targets)
    class_name, kwargs = TORCH_OPTIMIZERS[name]
    rng = np.random.default_rng(0)

    def run():
        layers, biases = parameters()
        trained = [p.requires_grad_() for p in layers + biases]
        if class_name is None:
            zero_grad, step = (lambda: [setattr(p, "grad", None) for p in trained]), torch_quickprop(trained)
        else:
            optimizer = getattr(torch.optim, class_name)(trained, **kwargs)
            zero_grad, step = optimizer.zero_grad, optimizer.step
        for _ in range(epochs):
            batches = [slice(None)] if schedule == "full-batch" else [[s] for s in rng.permutation(task.samples)]
            for batch in batches:
                zero_grad()
                ((targets[batch] - forward(layers, biases, inputs[:, batch])) ** 2 / 2).sum().backward()
                step()

    return run


def throughput_table(repeats: int, tasks=None) -> dict:
    """Print the table; return the engine/torch ratios by (task, N, optimizer, schedule)."""
    try:
        import torch  # noqa: F401

        has_torch = True
    except ImportError:
        has_torch = False
    print("\nThroughput, network-epochs/s (median of repeats), float64, no early stopping")
    print(f"{'task':16} {'optimizer':9} {'schedule':10} {'N':>6} {'epochs':>6} {'engine':>10} {'numpy':>10}"
          f" {'torch':>10}   engine/torch  engine/numpy")  # fmt: skip
    ratios = {}
    for task_name, count, epochs in (case for case in CASES if tasks is None or case[0] in tasks):
        task = network.get_task(task_name)
        for schedule in SCHEDULES:
            for name in TORCH_OPTIMIZERS:
                runs = {"engine": engine(task, name, count, epochs, schedule, True)}
                if has_torch:
                    runs["torch"] = torch_vectorized(task, name, count, epochs, schedule)
                rates = {key: count * epochs / seconds for key, seconds in side_by_side(runs, repeats).items()}
                fast, few = rates["engine"], max(1, epochs // 10)
                plain = (
                    count * few / side_by_side({"numpy": engine(task, name, count, few, schedule, False)}, 1)["numpy"]
                )
                torch_rate = f" {rates['torch']:10.3g}" if has_torch else f" {'-':>10}"
                ratio = f" {fast / rates['torch']:13.2f}×" if has_torch else f" {'-':>14}"
                if has_torch:
                    ratios[task_name, count, name, schedule] = fast / rates["torch"]
                print(f"{task_name:16} {name:9} {schedule:10} {count:6d} {epochs:6d} {fast:10.3g} {plain:10.3g}"
                      f"{torch_rate}{ratio} {fast / plain:12.2f}×", flush=True)  # fmt: skip
    if not has_torch:
        print("(torch is not installed: pip install torch to add its column)")
    return ratios


HELD_OUT = {  # task: (dataset, network, batch size, the loss over a batch, epochs at N = 80 and 800); cross-entropy
    "digits": ("digits", {"sizes": [64, 32, 10], "activation": "tanh"}, 32, "sum", (5, 5)),
    "breast_cancer": ("breast_cancer", {"sizes": [30, 16, 2], "activation": "tanh"}, 32, "sum", (5, 5)),
    "mnist1d": (
        "mnist1d",
        {"sizes": [40, 100, 100, 10], "activation": "relu", "output_activation": "identity", "residual": [2]},
        100,
        "mean",
        (2, 1),
    ),  # the published MLP, as optarena run mnist1d
}
HELD_OUT_RATES = {"irprop-": 1e-3, "adam": 1e-3, "quickprop": 1e-3}  # delta0 or learning rate, one for all runs


def held_out_spec(task_name: str, name: str, studies: int, epochs: int):
    """A held-out spec of one task and one optimizer whose range is one value: every network the same setting."""
    from experiments.definition.held_out_spec import HeldOutSpec

    dataset, net, batch, reduction, _ = HELD_OUT[task_name]
    key, rate = ("delta0" if name == "irprop-" else "learning_rate"), HELD_OUT_RATES[name]
    split = {"validation": 0.2} if dataset == "mnist1d" else {"fractions": [0.5, 0.25, 0.25]}
    return HeldOutSpec.from_dict({
        "name": "bench", "kind": "held-out", "seeds": list(range(studies)), "schedules": [f"mini-batch({batch})"],
        "budget": {"max_epochs": epochs}, "evaluate_every": epochs, "tuning": {"budget": 16},
        "tasks": [{"name": task_name, "dataset": dataset, "network": net, "reduction": reduction, "split": split}],
        "optimizers": [{"name": name, "space": {}, "settings": {key: rate}}],
    })  # fmt: skip


def torch_held_out(spec):
    """The spec's one unit in torch on one thread: (N, out, in) weights, batched matmul, log-softmax cross-entropy
    summed or averaged over the batch as the task says, the task's hidden units and residual layers, autograd and
    the torch.optim class (or `torch_quickprop`), the same shuffled batches."""
    import torch

    from experiments.running.held_out_training import initial_weights

    task, space = spec.tasks[0], spec.optimizers[0]
    net, train = task.network, task.parts_of(0)[0]
    inputs, labels = torch.tensor(train.inputs), torch.tensor(train.labels)
    count = len(spec.seeds) * spec.trials
    rate = next(iter(space.fixed.values()))
    hidden = {"tanh": torch.tanh, "relu": torch.relu}[net.activation]

    def run():
        torch.set_num_threads(1)
        unpacked = net.unpack(initial_weights(net, spec.seeds, spec.trials).reshape(count, net.size))
        layers = [torch.tensor(W).requires_grad_() for W, _ in unpacked]
        biases = [torch.tensor(b[:, None, :].copy()).requires_grad_() for _, b in unpacked]
        trained = layers + biases
        class_name = TORCH_OPTIMIZERS[space.name][0]
        if class_name is None:
            zero_grad, step = (lambda: [setattr(p, "grad", None) for p in trained]), torch_quickprop(trained, rate)
        else:
            optimizer = getattr(torch.optim, class_name)(trained, lr=rate)
            zero_grad, step = optimizer.zero_grad, optimizer.step
        orders = spec.schedules[0].epochs(len(train.labels), spec.seeds[0])
        for _ in range(spec.max_epochs):
            for batch in next(orders):
                zero_grad()
                a = inputs[batch].expand(count, len(batch), net.n_inputs)
                for index, (W, b) in enumerate(zip(layers, biases, strict=True)):
                    x = torch.baddbmm(b, a, W.transpose(1, 2))
                    if index == len(layers) - 1:
                        a = torch.log_softmax(x, dim=-1)
                    else:
                        a = a + hidden(x) if index + 1 in net.residual else hidden(x)
                loss = (-a.gather(-1, labels[batch].expand(count, len(batch))[..., None])).sum()
                (loss / len(batch) if task.mean else loss).backward()
                step()

    return run


def held_out_table(repeats: int) -> None:
    """Print network-epochs/s of one held-out unit (`running.held_out_training.train_unit`) and of torch, both
    on one thread (the engine runs one unit per core)."""
    from threadpoolctl import threadpool_limits

    from experiments.running.held_out_training import Unit, train_unit

    try:
        import torch  # noqa: F401

        has_torch = True
    except ImportError:
        has_torch = False
    print(
        "\nHeld-out units (cross-entropy, float64; digits and breast_cancer: tanh, mini-batches of 32, E summed; "
        "mnist1d: the published residual ReLU MLP, mini-batches of 100, E averaged), network-epochs/s on one thread"
    )
    print(f"{'task':14} {'optimizer':9} {'N':>5} {'epochs':>6} {'optarena':>10} {'torch':>10}   optarena/torch")
    for task_name, (*_, epochs_at) in HELD_OUT.items():
        for name in HELD_OUT_RATES:
            for studies, epochs in zip((5, 50), epochs_at, strict=True):
                spec = held_out_spec(task_name, name, studies, epochs)
                count = studies * spec.trials

                def ours(spec=spec):
                    with threadpool_limits(1, "blas"):
                        train_unit(spec, Unit(0, 0, 0))

                runs = {"optarena": ours} | ({"torch": torch_held_out(spec)} if has_torch else {})
                rates = {key: count * epochs / seconds for key, seconds in side_by_side(runs, repeats).items()}
                theirs = f" {rates['torch']:10.3g} {rates['optarena'] / rates['torch']:13.2f}×" if has_torch else ""
                print(f"{task_name:14} {name:9} {count:5d} {epochs:6d} {rates['optarena']:10.3g}{theirs}", flush=True)


def flop_limit(repeats: int) -> None:
    """The machine's float64 multiply-add limit, measured (numpy's matrix product on every core), and the share of
    it the 10-5-10 kernel reaches, counting its useful flops (below)."""
    size = 2048
    a, b = np.random.default_rng(0).normal(size=(2, size, size))
    seconds = min(_timed(lambda: a @ b) for _ in range(repeats))
    limit = 2 * size**3 / seconds
    task = network.get_task("encoder-10-5-10")
    count, epochs = 10_000, 50
    seconds = side_by_side({"engine": engine(task, "irprop-", count, epochs, "full-batch", True)}, repeats)["engine"]
    rate = count * epochs / seconds
    flops = kernel_flops(task)
    print(f"\nFlop limit (numpy's {size}×{size} float64 matrix product, BLAS on every core): {limit:.3g} flop/s")
    print(f"10-5-10 kernel, irprop-, N = {count}, full batch: {rate:.3g} network-epochs/s × {flops} flops "
          f"= {rate * flops:.3g} flop/s, {100 * rate * flops / limit:.1f} % of the limit")  # fmt: skip


def kernel_flops(task) -> int:
    """Useful flops per network-epoch, full batch: per sample 2 per weight forward (multiply, add), 2 per weight
    for its gradient, 3 per weight into a hidden unit's signal, 4 per unit for σ and σ′ beyond its exponential
    (counted as one); plus about 10 per weight for the step."""
    net = task.network
    weights = net.size
    hidden_weights = sum(layer.weights.stop - layer.weights.start for layer in net.layers[1:])
    units = sum(net.sizes[1:])
    per_sample = 4 * weights + 3 * hidden_weights + 5 * units
    return task.samples * per_sample + 10 * weights


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


RULE_CASES = (
    ("xor", 1_000, 100),
    ("xor", 10_000, 100),
    ("encoder-10-5-10", 1_000, 100),
    ("encoder-10-5-10", 10_000, 50),
)
NEW_RULES = ("adamw", "nadam", "radam", "adamax", "adadelta", "lion", "adan", "schedule-free-adamw",
             "schedule-free-sgd")  # fmt: skip


def rules_table(repeats: int, tasks) -> None:
    """Each optimizer of 2016–2024 in the fused layered kernel, in full batch, against Adam in the same kernel on
    the same population: microseconds per network-epoch and the ratio to Adam (the target: at most 1.3)."""
    print("\nThe rules of 2016–2024 in the fused kernel, full batch (µs per network-epoch; ratio to adam)")
    print(f"{'task':<17}{'N':>7}  {'adam':>7}  " + "  ".join(f"{name:>14}" for name in NEW_RULES))
    for task_name, count, epochs in RULE_CASES:
        if tasks and task_name not in tasks:
            continue
        task = network.get_task(task_name)
        runs = {name: engine(task, name, count, epochs, "full-batch", True) for name in ("adam", *NEW_RULES)}
        seconds = side_by_side(runs, repeats)
        per = {name: 1e6 * value / (count * epochs) for name, value in seconds.items()}
        cells = "  ".join(f"{per[name]:7.3f} ({per[name] / per['adam']:4.2f}×)" for name in NEW_RULES)
        print(f"{task_name:<17}{count:>7}  {per['adam']:7.3f}  {cells}")


MUON_CASES = (("encoder-10-5-10", (10, 5, 10), 100), ("encoder-10-5-10", (10, 5, 10), 1000),
              ("digits", (64, 32, 10), 100), ("digits", (64, 32, 10), 1000))  # fmt: skip
MUON_STEPS = 20


def muon_runs(sizes, count: int) -> dict:
    """``MUON_STEPS`` steps of Muon (its biases by AdamW) on a population of ``count`` networks of ``sizes``, fed the
    same random gradients: optarena's one batched step, and torch.optim.Muon with torch.optim.AdamW on the same
    population held as torch holds it, every network's every layer its own tensors (Muon takes 2-D tensors only)."""
    import torch

    net = network.Layered(list(sizes), activation="tanh")
    rng = np.random.default_rng(0)
    weights, grads = rng.uniform(-1, 1, (count, net.size)), rng.normal(size=(MUON_STEPS, count, net.size))
    muon = with_layout(optimizers.get("muon", learning_rate=0.02), net)

    def optarena_steps():
        w, state = weights, muon.init(weights)
        for grad in grads:
            w, state = muon.step(w, grad, state)

    matrices = [torch.tensor(row[layer.weights].reshape(layer.units, layer.fan_in)) for row in weights
                for layer in net.layers]  # fmt: skip
    biases = [torch.tensor(row[layer.biases]) for row in weights for layer in net.layers]
    matrix_grads = [[torch.tensor(row[layer.weights].reshape(layer.units, layer.fan_in)) for row in step
                     for layer in net.layers] for step in grads]  # fmt: skip
    bias_grads = [[torch.tensor(row[layer.biases]) for row in step for layer in net.layers] for step in grads]

    def torch_steps():
        steppers = [torch.optim.Muon(matrices, lr=0.02), torch.optim.AdamW(biases, foreach=False)]
        for matrix_grad, bias_grad in zip(matrix_grads, bias_grads, strict=True):
            for tensor, grad in zip(matrices + biases, matrix_grad + bias_grad, strict=True):
                tensor.grad = grad
            for stepper in steppers:
                stepper.step()

    return {"optarena": optarena_steps, "torch": torch_steps}


def muon_table(repeats: int) -> None:
    """optarena's Muon against torch.optim.Muon on the same populations: microseconds per network-step."""
    print(f"\nMuon against torch.optim.Muon, {MUON_STEPS} steps of the optimizer alone (µs per network-step)")
    print(f"{'network':<17}{'N':>7}  {'optarena':>9}  {'torch':>9}  {'torch / optarena':>17}")
    for name, sizes, count in MUON_CASES:
        seconds = side_by_side(muon_runs(sizes, count), repeats)
        per = {key: 1e6 * value / (count * MUON_STEPS) for key, value in seconds.items()}
        print(f"{name:<17}{count:>7}  {per['optarena']:9.2f}  {per['torch']:9.2f}  "
              f"{per['torch'] / per['optarena']:16.1f}×")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats per measurement (default 3)")
    parser.add_argument("--tasks", nargs="+", help="only these tasks (default: every case)")
    parts = ("layered", "rules", "muon", "held-out", "flops")
    parser.add_argument("--parts", nargs="+", choices=parts, default=list(parts), help="which tables (default: all)")
    args = parser.parse_args()
    print(
        f"optarena layered-network benchmark on {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}"
    )
    if "layered" in args.parts:
        throughput_table(args.repeats, args.tasks)
    if "rules" in args.parts:
        rules_table(args.repeats, args.tasks)
    if "muon" in args.parts:
        muon_table(args.repeats)
    if "held-out" in args.parts:
        held_out_table(args.repeats)
    if "flops" in args.parts:
        flop_limit(args.repeats)


if __name__ == "__main__":
    main()
