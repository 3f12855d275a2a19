"""torch optimizers in the arena (torch:CLASS) and optarena's optimizers as torch.optim classes (optimizers.torch).

These tests need PyTorch (pip install "optarena[torch]"); the root conftest.py selects torch's scalar
kernels (ATEN_CPU_CAPABILITY=default), whose rounding is numpy's, so the comparisons are bit for bit.
"""

import re
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import experiments  # noqa: E402
import network  # noqa: E402
import optimizers  # noqa: E402
import optimizers.torch as optarena_torch  # noqa: E402
from experiments import Budget, train_population  # noqa: E402

TASK = network.get_task("teacher")
STARTS = np.random.default_rng(0).uniform(-4, 4, size=(40, 2))


def trained(optimizer, epochs=300):
    return train_population(optimizer, TASK, STARTS, budget=Budget(max_epochs=epochs), accelerate=False)


def assert_same_runs(a, b):
    for field in ("final_weights", "final_error", "hit_epochs", "stop_epoch", "history"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
    assert a.status.tolist() == b.status.tolist()


def test_torch_sgd_is_gradient_descent_bit_for_bit():
    assert_same_runs(trained(optimizers.get("torch:SGD", lr=0.5)), trained(optimizers.get("gd", learning_rate=0.5)))


def test_torch_rprop_is_irprop_minus_bit_for_bit():
    ours = optimizers.get("irprop-", delta0=0.1, eta_plus=1.2, eta_minus=0.5, delta_min=1e-6, delta_max=50.0)
    theirs = optimizers.get("torch:Rprop", lr=0.1, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0))
    assert_same_runs(trained(theirs), trained(ours))


def test_torch_adam_is_adam():
    ours, theirs = trained(optimizers.get("adam", learning_rate=0.05)), trained(optimizers.get("torch:Adam", lr=0.05))
    np.testing.assert_allclose(theirs.final_weights, ours.final_weights, rtol=1e-12, atol=1e-14)
    assert theirs.status.tolist() == ours.status.tolist()


def test_runs_that_stop_early_take_their_rows_of_torchs_state_with_them():
    result = trained(optimizers.get("torch:Adam", lr=0.05), epochs=2000)
    assert len(set(result.stop_epoch.tolist())) > 5  # the population shrank many times
    np.testing.assert_allclose(result.final_error, trained(optimizers.get("adam"), 2000).final_error, rtol=1e-9)


@pytest.mark.slow
def test_a_torch_optimizer_runs_in_a_spec_in_worker_processes(tmp_path):
    spec = {
        "name": "with-torch",
        "tasks": ["teacher"],
        "optimizers": [{"name": "torch:SGD", "settings": [{"lr": 0.5}]}, {"name": "gd", "settings": [{}]}],
        "initial_points": {"kind": "uniform", "count": 16},
        "budget": {"max_epochs": 100},
    }
    table = experiments.run(spec, tmp_path / "out", jobs=2).table().set_index("optimizer")
    assert table.loc["torch:SGD(lr=0.5)", "epochs_median"] == table.loc["gd", "epochs_median"] or (
        np.isnan(table.loc["gd", "epochs_median"]) and np.isnan(table.loc["torch:SGD(lr=0.5)", "epochs_median"])
    )
    assert table.loc["torch:SGD(lr=0.5)", "success_rate"] == table.loc["gd", "success_rate"]


def test_optimizers_that_need_a_closure_or_couple_the_population_are_refused():
    with pytest.raises(ValueError, match="torch:LBFGS is refused: its step needs a closure"):
        optimizers.get("torch:LBFGS")
    with pytest.raises(ValueError, match="torch:Adafactor is refused: its step couples the networks"):
        optimizers.get("torch:Adafactor")
    with pytest.raises(ValueError, match=r"torch:Nothing is not a torch\.optim\.Optimizer class"):
        optimizers.get("torch:Nothing")
    with pytest.raises(TypeError, match="optimizer 'torch:Adam' has no hyperparameter 'learning_rate'; allowed: lr"):
        optimizers.get("torch:Adam", learning_rate=0.1)


def test_without_torch_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(
        ValueError, match=r'torch optimizers need PyTorch, which is not installed: pip install "optarena\[torch\]"'
    ):
        optimizers.get("torch:Adam")


@pytest.mark.parametrize(
    "name",
    ["RpropPlus", "RpropMinus", "IRpropPlus", "Quickprop", "SuperSAB", "DeltaBarDelta", "Lion", "Prodigy", "Adan",
     "ScheduleFreeAdamW", "ScheduleFreeSGD"],
)  # fmt: skip
def test_each_torch_class_steps_a_torch_model_as_the_numpy_optimizer_does(name):
    cls = getattr(optarena_torch, name)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    twin = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    twin.load_state_dict(model.state_dict())
    x, y = torch.randn(16, 3, dtype=torch.float64), torch.randn(16, 2, dtype=torch.float64)
    setting = {"delta0": 0.01} if "prop" in name and name != "Quickprop" else {}
    setting |= {"learning_rate": 0.01} if name == "ScheduleFreeSGD" else {}  # its default 1.0 diverges here
    optimizer, rule = cls(model.parameters(), **setting), optimizers.get(cls.rule, **setting)
    state = None
    for _ in range(200):

        def closure():
            optimizer.zero_grad()
            loss = ((model(x) - y) ** 2).sum() / 2
            loss.backward()
            return loss

        optimizer.step(closure)
        twin.zero_grad()
        loss = ((twin(x) - y) ** 2).sum() / 2
        loss.backward()
        weights = np.concatenate([p.detach().reshape(-1).numpy() for p in twin.parameters()])
        grad = np.concatenate([p.grad.reshape(-1).numpy() for p in twin.parameters()])
        state = rule.init(weights) if state is None else state
        weights, state = rule.step(weights, grad, state, loss=np.float64(loss.item()))
        with torch.no_grad():
            offset = 0
            for p in twin.parameters():
                p.copy_(torch.from_numpy(weights[offset : offset + p.numel()]).reshape(p.shape))
                offset += p.numel()
        for ours, reference in zip(model.parameters(), twin.parameters(), strict=True):
            assert torch.equal(ours, reference)


def test_schedule_free_in_torch_holds_its_model_in_eval_mode_and_its_gradient_point_in_train_mode():
    torch.manual_seed(1)
    model = torch.nn.Linear(3, 2).double()
    x, y = torch.randn(8, 3, dtype=torch.float64), torch.randn(8, 2, dtype=torch.float64)
    optimizer = optarena_torch.ScheduleFreeAdamW(model.parameters(), learning_rate=0.05)
    rule = optimizers.get("schedule-free-adamw", learning_rate=0.05)
    weights = np.concatenate([p.detach().reshape(-1).numpy() for p in model.parameters()])
    state = rule.init(weights)
    for _ in range(5):
        optimizer.zero_grad()
        ((model(x) - y) ** 2).sum().backward()
        grad = np.concatenate([p.grad.reshape(-1).numpy() for p in model.parameters()])
        optimizer.step()
        weights, state = rule.step(weights, grad, state)
    flat = lambda: np.concatenate([p.detach().reshape(-1).numpy() for p in model.parameters()])  # noqa: E731
    assert np.array_equal(flat(), weights)  # y
    optimizer.eval()
    assert np.array_equal(flat(), state.x)
    with pytest.raises(RuntimeError, match=r"ScheduleFreeAdamW is in eval mode: call optimizer.train\(\) before"):
        optimizer.step()
    optimizer.train()
    assert np.array_equal(flat(), weights)


def test_irprop_plus_in_torch_needs_the_loss_from_a_closure():
    model = torch.nn.Linear(2, 1).double()
    optimizer = optarena_torch.IRpropPlus(model.parameters())
    model(torch.ones(1, 2, dtype=torch.float64)).sum().backward()
    with pytest.raises(RuntimeError, match=r"IRpropPlus needs the loss: call step\(closure\)"):
        optimizer.step()
    with pytest.raises(TypeError, match="optimizer 'irprop\\+' has no hyperparameter 'lr'"):
        optarena_torch.IRpropPlus(model.parameters(), lr=0.1)


def test_the_torch_loop_in_docs_extending_runs_as_written():
    """docs/extending.md's torch section's ``python`` block (no doctest: it needs torch) trains a model when its
    names exist."""
    page = (Path(__file__).resolve().parents[2] / "docs" / "extending.md").read_text()
    section = page.split("## torch optimizers in the arena", 1)[1].split("\n## ", 1)[0]
    (loop,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1)).double()
    x, y = torch.randn(32, 2, dtype=torch.float64), torch.randn(32, 1, dtype=torch.float64)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    before = loss_fn(model(x), y).item()
    exec(loop, {"model": model, "loss_fn": loss_fn, "batches": [(x, y)] * 50})
    assert loss_fn(model(x), y).item() < before / 2


# Every torch-pinned optimizer on random two-dimensional populations, 200 steps, fed the same gradients

PINNED = {  # optarena's name and hyperparameters: torch.optim's class and keyword arguments
    ("gd", (("learning_rate", 0.02),)): ("SGD", {"lr": 0.02}),
    ("momentum", (("learning_rate", 0.02), ("momentum", 0.9))): ("SGD", {"lr": 0.02, "momentum": 0.9}),
    ("nesterov", (("learning_rate", 0.02), ("momentum", 0.8))): ("SGD", {"lr": 0.02, "momentum": 0.8,
                                                                          "nesterov": True}),
    ("adagrad", (("learning_rate", 0.05),)): ("Adagrad", {"lr": 0.05}),
    ("adagrad", (("learning_rate", 0.3), ("lr_decay", 0.01), ("initial_accumulator_value", 0.1))): (
        "Adagrad", {"lr": 0.3, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("rmsprop", (("learning_rate", 0.01), ("alpha", 0.9))): ("RMSprop", {"lr": 0.01, "alpha": 0.9}),
    ("rmsprop-centered", (("learning_rate", 0.01),)): ("RMSprop", {"lr": 0.01, "centered": True}),
    ("adam", (("learning_rate", 0.02),)): ("Adam", {"lr": 0.02}),
    ("adam", (("learning_rate", 0.1), ("beta1", 0.8), ("beta2", 0.99), ("eps", 1e-6))): (
        "Adam", {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("amsgrad", (("learning_rate", 0.02),)): ("Adam", {"lr": 0.02, "amsgrad": True}),
    ("irprop-", (("delta0", 0.02),)): ("Rprop", {"lr": 0.02}),
    ("adamw", (("learning_rate", 0.02), ("weight_decay", 0.1))): ("AdamW", {"lr": 0.02, "weight_decay": 0.1}),
    ("nadam", (("learning_rate", 0.02), ("momentum_decay", 0.01))): ("NAdam", {"lr": 0.02,
                                                                               "momentum_decay": 0.01}),
    ("radam", (("learning_rate", 0.02),)): ("RAdam", {"lr": 0.02}),
    ("adamax", (("learning_rate", 0.02), ("beta1", 0.8))): ("Adamax", {"lr": 0.02, "betas": (0.8, 0.999)}),
    ("adadelta", (("learning_rate", 0.5), ("rho", 0.95))): ("Adadelta", {"lr": 0.5, "rho": 0.95}),
}  # fmt: skip


def random_population(shape, steps, seed):
    """Weights and gradients of every scale from 1e-3 to 10, of both signs."""
    rng = np.random.default_rng(seed)
    scaled = lambda: rng.normal(size=shape) * 10 ** rng.uniform(-3, 1, size=shape)  # noqa: E731
    return scaled(), [scaled() for _ in range(steps)]


def steps_apart(name, hyperparameters, shape, seed=0, steps=200):
    """(optarena's weights, torch's weights) after each step on the same population and gradients."""
    weights, gradients = random_population(shape, steps, seed)
    ours = optimizers.get(name, **dict(hyperparameters))
    state = ours.init(weights)
    theirs = torch.tensor(weights.copy())
    torch_class, arguments = PINNED[(name, hyperparameters)]
    reference = getattr(torch.optim, torch_class)([theirs], foreach=False, **arguments)
    for gradient in gradients:
        weights, state = ours.step(weights, gradient, state)
        theirs.grad = torch.tensor(gradient)
        reference.step()
        yield weights, theirs.numpy().copy()


@pytest.fixture
def float64_by_default():
    """torch's default dtype float64, in which torch.optim keeps its scalar state (NAdam's running product of its
    momentum schedule): with float32, the default, NAdam's Π_t is rounded to float32 at every step."""
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(default)


@pytest.mark.parametrize(("name", "hyperparameters"), list(PINNED), ids=[f"{n}{dict(h)}" for n, h in PINNED])
@pytest.mark.parametrize("shape", [(16, 37), (3, 5, 40)])
def test_every_torch_pinned_optimizer_matches_torch_bit_for_bit_on_random_populations(
    name, hyperparameters, shape, correctly_rounded_sqrt, float64_by_default
):
    for step, (ours, theirs) in enumerate(steps_apart(name, hyperparameters, shape), start=1):
        np.testing.assert_array_equal(ours, theirs, err_msg=f"{name} after step {step}")


def test_torchs_own_square_root_is_what_parts_adam_from_torch_and_by_at_most_an_ulp_a_step():
    """Without the correctly rounded square root, only the rounding of √v separates the two: a few weights per
    step differ, each by at most an ulp of its step (the step, not the weight, carries the difference)."""
    weights, _ = random_population((16, 37), 1, 0)
    for ours, theirs in steps_apart("adam", (("learning_rate", 0.02),), (16, 37), steps=1):
        step_ours, step_theirs = ours - weights, theirs - weights
        assert np.all(np.abs(step_ours - step_theirs) <= 2 * np.spacing(np.maximum(abs(step_ours), abs(weights))))
