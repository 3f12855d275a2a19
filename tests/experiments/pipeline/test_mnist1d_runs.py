"""MNIST-1D in held-out experiments: trained as the authors trained it, their table beside ours, the comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import optimizers
from experiments.analysis import published_accuracies
from experiments.definition.held_out_spec import HeldOutSpec
from experiments.definition.spec_files import load_spec
from experiments.running.held_out_training import Unit, initial_weights, study_parts, train_unit

MLP = {"sizes": [40, 12, 12, 10], "activation": "relu", "output_activation": "identity", "residual": [2]}


def authors_setup(**changes) -> HeldOutSpec:
    """The published protocol on a small residual MLP: Adam 1e-2, mean cross-entropy, cyclic batches of 100."""
    data = {
        "name": "authors", "kind": "held-out", "seeds": [3], "result_at": "last", "evaluate_every": 1,
        "schedules": [{"kind": "mini-batch", "batch_size": 100, "order": "cyclic"}],
        "budget": {"max_epochs": 2}, "tuning": {"budget": 1},
        "tasks": [{"name": "mlp", "dataset": "mnist1d", "network": MLP, "loss": "cross-entropy",
                   "reduction": "mean", "split": {"validation": 0.0}}],
        "optimizers": [{"name": "adam", "space": {}, "settings": {"learning_rate": 0.01}}],
    } | changes  # fmt: skip
    return HeldOutSpec.from_dict(data)


CNN = {"sizes": [40, 10], "activation": "relu", "output_activation": "identity",
       "convolutions": [{"channels": 4, "kernel": 5, "stride": 2, "padding": 1},
                        {"channels": 4, "kernel": 3, "stride": 2, "padding": 1}]}  # fmt: skip


def torch_logits(torch, net, layers, x):
    """The network's outputs in torch: nn.Linear's and nn.Conv1d's functions, written from the network's shape."""
    blocks = iter(layers)
    if "convolutions" in net.to_dict():
        a = x[:, None, :]  # (samples, 1 channel, L)
        for convolution in net.convolutions:
            weight, bias = next(blocks), next(blocks)
            weight = weight.reshape(convolution.channels, -1, convolution.kernel)
            a = torch.relu(torch.nn.functional.conv1d(a, weight, bias, convolution.stride, convolution.padding))
        a = a.reshape(len(x), -1)
        return a @ next(blocks).T + next(blocks)
    a = x
    for layer in net.layers:
        weight, bias = next(blocks), next(blocks)
        x_l = a @ weight.T + bias
        if layer.index == len(net.layers):
            return x_l
        a = a + torch.relu(x_l) if layer.index in net.residual else torch.relu(x_l)
    raise AssertionError("unreachable")


@pytest.mark.parametrize("network", [MLP, CNN], ids=["residual-mlp", "cnn"])
def test_a_run_trains_as_the_authors_torch_code_does_step_for_step(network):
    """torch.nn.Linear / Conv1d layers, F.cross_entropy (mean), torch.optim.Adam(lr=1e-2), batches of 100 in stored
    order: 80 steps in float64 from optarena's initial weights land on optarena's test loss and accuracy."""
    torch = pytest.importorskip("torch", reason="the torch extra: pip install '.[test,torch]'")
    spec = authors_setup(tasks=[{"name": "mlp", "dataset": "mnist1d", "network": network, "loss": "cross-entropy",
                                 "reduction": "mean", "split": {"validation": 0.0}}])  # fmt: skip
    task = spec.tasks[0]
    records = train_unit(spec, Unit(0, 0, 0))
    (train_x, train_y), _, (test_x, test_y) = (
        (torch.tensor(inputs[0, 0]), torch.tensor(labels[0, 0])) for inputs, labels in study_parts(task, spec.seeds)
    )
    start = initial_weights(task.network, spec.seeds, 1)[0, 0]
    layers = [torch.tensor(start[part].copy(), requires_grad=True)
              for layer in task.network.layers for part in (layer.weights, layer.biases)]  # fmt: skip
    for weight, layer in zip(layers[::2], task.network.layers, strict=True):
        weight.data = weight.data.reshape(layer.units, layer.fan_in)
    adam = torch.optim.Adam(layers, lr=0.01)
    for _ in range(spec.max_epochs):
        for start_row in range(0, len(train_y), 100):
            rows = slice(start_row, start_row + 100)
            adam.zero_grad()
            logits = torch_logits(torch, task.network, layers, train_x[rows])
            torch.nn.functional.cross_entropy(logits, train_y[rows]).backward()
            adam.step()
    with torch.no_grad():
        test_logits = torch_logits(torch, task.network, layers, test_x)
        loss = torch.nn.functional.cross_entropy(test_logits, test_y).item()
        error = (test_logits.argmax(dim=1) != test_y).double().mean().item()
    final = records["history"][0, 0, -1]
    assert final[2, 0] == error  # the same samples misclassified
    assert final[2, 1] == pytest.approx(loss, rel=1e-9)  # BLAS and torch sum in their own orders
    assert np.isnan(final[1]).all()  # no validation part: the published split trains on all 4000


def test_the_published_rerun_is_the_authors_setup_with_ten_runs_per_model():
    spec = load_spec("mnist1d-published")
    assert len(spec.seeds) >= 10 and spec.trials == 1 and spec.result_at == "last"
    assert [task.network.size for task in spec.tasks] == [410, 15210, 5210]  # the paper's parameter counts
    schedule = spec.schedules[0]
    assert (schedule.batch_size, schedule.order) == (100, "cyclic")
    assert spec.max_epochs * schedule.updates_per_epoch(4000) == 6000
    assert all(task.mean and len(task.parts_of(0)[0].labels) == 4000 for task in spec.tasks)
    assert spec.optimizers[0].setting(np.zeros(0)) == {"learning_rate": 0.01}


def test_the_comparison_spec_tunes_every_optimizer_on_the_published_mlp():
    spec = load_spec("mnist1d")
    assert sorted(space.name for space in spec.optimizers) == sorted(optimizers.available())
    (task,) = spec.tasks
    assert task.network.size == 15210 and task.network.residual == (2,) and task.mean
    assert [len(part.labels) for part in task.parts_of(0)] == [3200, 800, 1000]


def with_accuracies(spec: HeldOutSpec, test_accuracy) -> np.ndarray:
    history = np.full((len(spec.tasks), 1, 1, len(spec.seeds), 1, len(spec.evaluation_epochs()), 3, 2), 0.5)
    history[..., -1, 2, 0] = 1 - np.asarray(test_accuracy)[:, None, None, :, None]
    return history


def test_each_published_row_gets_a_verdict_from_the_range_of_our_runs():
    table = {"citation": "A & B", "results": [
        {"model": "small", "task": "mlp", "optimizer": "adam", "accuracy": 0.66, "logged": 0.70},
        {"model": "CNN", "accuracy": 0.94, "not_reproduced": "no convolutions"},
    ]}  # fmt: skip
    spec = authors_setup(seeds=[0, 1, 2], published=table)
    frame = published_accuracies.comparison(spec, with_accuracies(spec, [[0.60, 0.62, 0.64]]))
    small, cnn = frame.to_dict("records")
    assert small["verdict"] == "paper higher" and small["logged_verdict"] == "paper higher"
    assert (small["ours_min"], small["ours_max"], small["runs"]) == (0.60, 0.64, 3)
    assert small["ours_mean"] == pytest.approx(0.62)
    assert cnn["verdict"] == "not reproduced: no convolutions" and pd.isna(cnn.get("ours_mean"))
    frame = published_accuracies.comparison(spec, with_accuracies(spec, [[0.60, 0.67, 0.64]]))
    assert frame["verdict"][0] == "holds"
    text = published_accuracies.to_markdown(spec, frame)
    assert (
        "| small | – | 66.0 % | holds | 70.0 % | paper higher |" in text and "not reproduced: no convolutions" in text
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"published": {"results": [{"model": "x", "task": "cnn", "optimizer": "adam", "accuracy": 0.9}]}},
         r"task 'cnn' is not a task of the spec \(mlp\); name one, or say why the row is not_reproduced"),
        ({"published": {"results": [{"model": "x", "task": "mlp", "optimizer": "sgd", "accuracy": 0.9}]}},
         r"optimizer 'sgd' is not one of the spec's \(adam\)"),
        ({"published": {"results": [{"model": "x", "task": "mlp", "optimizer": "adam", "accuracy": 68}]}},
         r"accuracy must be a fraction in \[0, 1\], got 68"),
        ({"published": {"results": [{"model": "x", "task": "mlp", "optimizer": "adam", "accuracy": 0.6,
                                     "parameters": 410}]}},
         r"the paper's x has 410 parameters, the network of task 'mlp' 778"),
        ({"published": {"results": [{"model": "x", "score": 1}]}}, r"unknown key 'score'"),
        ({"result_at": "best-validation"}, r"task 'mlp' has no validation part.*result_at = \"last\""),
        ({"result_at": "first"}, r"result_at must be one of best-validation, last, got 'first'"),
    ],
)  # fmt: skip
def test_a_published_table_or_setup_that_cannot_be_gets_one_line(changes, message):
    with pytest.raises(ValueError, match=message):
        authors_setup(**changes)


def test_a_reduction_that_does_not_exist_is_refused_in_one_line():
    task = {"name": "mlp", "dataset": "mnist1d", "network": MLP, "reduction": "median", "split": {"validation": 0.2}}
    with pytest.raises(ValueError, match=r"task 'mlp': reduction must be one of sum, mean, got 'median'"):
        authors_setup(tasks=[task], result_at="best-validation")


def test_a_rerun_without_a_validation_part_says_where_it_read_its_runs(tmp_path):
    from experiments.pipeline import held_out_runs

    table = {"citation": "A & B", "results": [{"model": "small", "task": "mlp", "optimizer": "adam", "accuracy": 0.5}]}
    held_out_runs.run(authors_setup(seeds=[0, 1], published=table), tmp_path / "out")
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "read every run at its last evaluation" in summary and "early stopping" not in summary
    assert "| adam | – | 0% | inf |" in summary  # no validation part: no target, no profile score
    published = (tmp_path / "out" / "published.md").read_text()
    assert "| small | – | 50.0 % |" in published and "ours: mean [95 % CI]" in published
