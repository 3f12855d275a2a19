"""Layered networks: the layout, Part III's backpropagation against independent references, and the article's case.

References: a 50-digit mpmath evaluation differentiated numerically by mpmath,
torch's autograd (committed fixtures, ``fixtures/make_torch_layered.py``),
and the article's closed form (`network.loss_and_grad`).
"""

import json
import math
import warnings
from pathlib import Path

import mpmath
import numpy as np
import pytest

import network
import optimizers
from network import Layered, matrix_pass
from network.compiled_layered import evaluate, plan_of
from network.validation import PERIOD, PERIOD_SINGLE, FlatSpot

FIXTURE = np.load(Path(__file__).resolve().parents[1] / "fixtures" / "torch_layered.npz")
SHAPES = [
    {"sizes": [2, 2, 1]},
    {"sizes": [1, 1, 1], "bias": False},
    {"sizes": [3, 4, 2], "activation": "tanh"},
    {"sizes": [2, 5, 5, 5, 1], "activation": "tanh", "output_activation": "sigmoid", "shortcuts": True},
    {"sizes": [2, 3, 2], "output_activation": "identity", "shortcuts": True},
    {"sizes": [4, 3], "bias": False},
    {"sizes": [3, 6, 4, 2], "activation": "relu", "output_activation": "identity", "shortcuts": True},
    {"sizes": [3, 6, 6, 6, 2], "activation": "relu", "output_activation": "identity", "residual": [2, 3]},
    {"sizes": [2, 2, 2, 1], "activation": "tanh", "residual": [1, 2]},
]


def data(net, samples=5, seed=0):
    rng = np.random.default_rng(seed)
    low, high = net.output_range
    targets = rng.uniform(max(low, -1.0), min(high, 1.0), size=(samples, net.n_outputs))
    return rng.normal(size=(samples, net.n_inputs)), targets


# The parameter layout


def test_the_layout_is_layer_by_layer_weights_row_major_then_biases():
    net = Layered([2, 3, 1])
    assert net.size == 2 * 3 + 3 + 3 * 1 + 1
    assert net.parameter_names() == [
        "W1[0,0]", "W1[0,1]", "W1[1,0]", "W1[1,1]", "W1[2,0]", "W1[2,1]", "b1[0]", "b1[1]", "b1[2]",
        "W2[0,0]", "W2[0,1]", "W2[0,2]", "b2[0]",
    ]  # fmt: skip
    (W1, b1), (W2, b2) = net.unpack(np.arange(13.0))
    assert W1.tolist() == [[0, 1], [2, 3], [4, 5]] and b1.tolist() == [6, 7, 8]
    assert W2.tolist() == [[9, 10, 11]] and b2.tolist() == [12]


def test_weights_have_torch_linear_orientation_out_by_in():
    net = Layered([3, 2])
    W, b = net.unpack(np.arange(8.0))[0]
    inputs = np.array([[1.0, -2.0, 0.5]])
    x = inputs @ W.T + b  # torch.nn.functional.linear(inputs, W, b)
    np.testing.assert_array_equal(net.forward(np.arange(8.0), inputs), network.sigmoid(x))


def test_shortcuts_read_every_earlier_layer_inputs_first():
    net = Layered([2, 3, 4, 1], shortcuts=True)
    assert [layer.sources for layer in net.layers] == [(0,), (0, 1), (0, 1, 2)]
    assert [layer.fan_in for layer in net.layers] == [2, 5, 9]
    assert net.size == (2 * 3 + 3) + (5 * 4 + 4) + (9 + 1)


@pytest.mark.parametrize("lead", [(), (4,), (2, 3)])
def test_unpack_gives_views_and_pack_is_its_inverse(lead):
    net = Layered([2, 5, 5, 5, 1], shortcuts=True)
    params = np.random.default_rng(1).normal(size=(*lead, net.size))
    layers = net.unpack(params)
    assert all(np.shares_memory(W, params) and np.shares_memory(b, params) for W, b in layers)
    np.testing.assert_array_equal(net.pack(layers), params)


def test_the_article_network_is_two_weights_w_h_then_w_o():
    assert network.ARTICLE_NETWORK == Layered([1, 1, 1], bias=False)
    assert network.ARTICLE_NETWORK.size == 2 and network.ARTICLE_NETWORK.is_article
    assert not Layered([1, 1, 1]).is_article and not Layered([1, 1, 1], bias=False, activation="tanh").is_article


def test_a_network_describes_itself_and_round_trips_through_a_dict():
    net = Layered([2, 5, 5, 5, 1], activation="tanh", output_activation="sigmoid", shortcuts=True)
    assert Layered.from_dict(net.to_dict()) == net
    assert Layered([2, 2, 1]).output_activation == "sigmoid"


# Part III's backpropagation against references


@pytest.mark.parametrize("flat_spot", [0.0, 0.1])
def test_the_article_network_reproduces_the_closed_form_bit_for_bit(flat_spot):
    net = network.ARTICLE_NETWORK
    rng = np.random.default_rng(5)
    weights = rng.uniform(-45, 45, size=(20_000, 2))
    inputs, targets = rng.uniform(-4, 4, size=7), rng.uniform(0, 1, size=7)
    inputs[0], targets[:2] = 0.0, [0.0, 1.0]
    closed = network.loss_and_grad(weights, inputs, targets, flat_spot=flat_spot)
    generic = net.loss_and_grad(weights, inputs[:, None], targets[:, None], flat_spot=flat_spot)
    for got, expected in zip(generic, closed, strict=True):
        np.testing.assert_array_max_ulp(got, expected, maxulp=2)
        np.testing.assert_array_equal(got, expected)  # stronger: the same operations in the same order
    np.testing.assert_array_equal(net.forward(weights, inputs)[..., 0], network.forward(weights, inputs))


def mp_sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


MP_ACTIVATIONS = {"sigmoid": mp_sigmoid, "tanh": mpmath.tanh, "identity": lambda x: x}


def mp_error(net: Layered, params, inputs, targets):
    """E in mpmath, written from the definition: units, layers and shortcuts by hand."""
    total, offset_of = mpmath.mpf(0), []
    offset = 0
    for layer in net.layers:
        offset_of.append(offset)
        offset = layer.biases.stop if layer.biases else layer.weights.stop
    for x_row, t_row in zip(inputs, targets, strict=True):
        outputs = [[mpmath.mpf(float(v)) for v in x_row]]
        for layer, start in zip(net.layers, offset_of, strict=True):
            a = [v for k in layer.sources for v in outputs[k]]
            name = net.output_activation if layer.index == len(net.layers) else net.activation
            units = []
            for o in range(layer.units):
                x = sum(params[start + o * layer.fan_in + i] * a[i] for i in range(layer.fan_in))
                if net.bias:
                    x += params[start + layer.units * layer.fan_in + o]
                units.append(MP_ACTIVATIONS[name](x))
            outputs.append(units)
        total += sum((mpmath.mpf(float(t)) - r) ** 2 / 2 for t, r in zip(t_row, outputs[-1], strict=True))
    return total


def mp_gradient(net, params, inputs, targets):
    with mpmath.workdps(50):
        point = [mpmath.mpf(float(p)) for p in params]

        def partial(k):
            return lambda value: mp_error(net, [*point[:k], value, *point[k + 1 :]], inputs, targets)

        error = mp_error(net, point, inputs, targets)
        return float(error), np.array([float(mpmath.diff(partial(k), point[k])) for k in range(len(point))])


MPMATH_CASES = [
    ({"sizes": [2, 2, 1]}, 1.0),
    ({"sizes": [2, 2, 1]}, 12.0),  # saturated: |x| of tens, σ′ down to 1e-20
    ({"sizes": [1, 1, 1], "bias": False}, 1.0),
    ({"sizes": [1, 1, 1], "bias": False}, 20.0),
    ({"sizes": [1, 1, 1]}, 1.0),
    ({"sizes": [1, 1, 1]}, 20.0),
    ({"sizes": [2, 3, 1], "activation": "tanh", "shortcuts": True}, 6.0),
]


@pytest.mark.parametrize(("arguments", "scale"), MPMATH_CASES)
def test_the_gradient_matches_a_50_digit_mpmath_evaluation(arguments, scale):
    net = Layered(**arguments)
    inputs, targets = network.get_task("xor").inputs, np.array([[0.0], [1.0], [1.0], [0.0]])
    if net.n_inputs == 1:
        inputs, targets = np.array([[1.0], [-2.0], [0.5]]), np.array([[0.9], [0.0], [1.0]])
    for seed in range(3):
        params = np.random.default_rng(seed).normal(scale=scale, size=net.size)
        error, grad = net.loss_and_grad(params, inputs, targets)
        true_error, true_grad = mp_gradient(net, params, inputs, targets)
        assert math.isclose(error, true_error, rel_tol=1e-14)
        np.testing.assert_allclose(grad, true_grad, rtol=2e-12, atol=1e-300)


@pytest.mark.parametrize(
    "key",
    ["2-2-1", "10-5-10", "2-5-5-5-1-shortcuts-tanh", "3-4-2-identity-tanh", "4-6-3-relu-identity",
     "2-5-5-1-relu-sigmoid", "4-6-6-3-relu-residual", "4-6-6-3-relu-residual-mean", "3-3-3-3-2-tanh-residuals-mean"],
)  # fmt: skip
def test_the_gradient_matches_torch_autograd(key):
    net = Layered(**json.loads(str(FIXTURE[f"gradients/{key}/network"])))
    params, inputs, targets = (FIXTURE[f"gradients/{key}/{name}"] for name in ("params", "inputs", "targets"))
    error, grad = net.loss_and_grad(params, inputs, targets, mean=key.endswith("-mean"))
    np.testing.assert_allclose(error, FIXTURE[f"gradients/{key}/errors"], rtol=1e-14)
    reference = FIXTURE[f"gradients/{key}/grads"]
    scale = np.abs(reference).max(axis=-1, keepdims=True)
    assert (np.abs(grad - reference) <= 1e-13 * scale).all()  # torch sums in its own order


@pytest.mark.parametrize("arguments", SHAPES)
def test_the_built_in_gradient_check_passes_on_every_shape(arguments):
    net = Layered(**arguments)
    params = np.random.default_rng(2).normal(size=(6, net.size))
    check = net.check_gradient(params, *data(net))
    assert check.ok.all(), check.max_abs_error


@pytest.mark.parametrize("arguments", SHAPES)
def test_the_mean_loss_is_the_sum_over_the_samples_divided_by_their_number(arguments):
    net = Layered(**arguments)
    inputs, targets = data(net, samples=6)
    params = np.random.default_rng(7).normal(size=(3, net.size))
    summed, averaged = (net.loss_and_grad(params, inputs, targets, mean=mean) for mean in (False, True))
    np.testing.assert_allclose(averaged[0], summed[0] / 6, rtol=1e-15)
    np.testing.assert_allclose(averaged[1], summed[1] / 6, rtol=1e-13, atol=1e-300)
    np.testing.assert_array_equal(net.error(params, inputs, targets, mean=True), averaged[0])
    matrix = matrix_pass.loss_and_grad(net, "squared", params, inputs, targets, mean=True)
    np.testing.assert_allclose(matrix[0], averaged[0], rtol=1e-12)
    np.testing.assert_allclose(matrix[1], averaged[1], rtol=1e-12, atol=1e-14)


def test_a_residual_layer_adds_what_it_reads_to_its_outputs():
    net = Layered([2, 2, 2, 1], activation="relu", output_activation="identity", residual=[2], bias=False)
    W1, W2, W3 = np.eye(2), -np.eye(2), np.ones((1, 2))  # h1 = relu(x); h2 = h1 + relu(−h1) = h1
    params = net.pack([(W1, None), (W2, None), (W3, None)])
    assert net.forward(params, [[3.0, 4.0]]).tolist() == [[7.0]]
    assert net.describe() == "2-2-2-1, relu hidden units, identity outputs, no biases, residual layer 2, 10 parameters"
    assert Layered.from_dict(net.to_dict()) == net


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"sizes": [2, 3, 3, 1], "residual": [3]},
            r"residual layer 3 is not a hidden layer of 2-3-3-1 \(hidden: 1 … 2\)",
        ),
        ({"sizes": [2, 3, 4, 1], "residual": [2]}, r"residual layer 2 has 4 units and reads 3"),
        ({"sizes": [2, 2, 2, 1], "residual": [2], "shortcuts": True}, r"either shortcuts or residual layers"),
        ({"sizes": [2, 2, 2, 1], "residual": 2}, r"residual must list hidden layers 1 … 2, got 2"),
    ],
)
def test_a_residual_layer_that_cannot_be_gets_one_line(arguments, message):
    with pytest.raises(ValueError, match=message):
        Layered(**arguments)


def test_the_gradient_check_notices_a_wrong_gradient(monkeypatch):
    net = Layered([2, 2, 1])
    right = net.loss_and_grad_of_checked
    monkeypatch.setattr(net.__class__, "loss_and_grad_of_checked",
                        lambda self, *args: (right(*args)[0], 1.001 * right(*args)[1]))  # fmt: skip
    assert not net.check_gradient(np.ones(9), *data(net)).ok


@pytest.mark.parametrize("arguments", SHAPES)
def test_a_network_in_a_population_computes_what_it_computes_alone(arguments):
    net = Layered(**arguments)
    inputs, targets = data(net, samples=6)
    params = np.random.default_rng(3).normal(scale=3, size=(2, 5, net.size))
    error, grad = net.loss_and_grad(params, inputs, targets, flat_spot=0.05)
    assert error.shape == (2, 5) and grad.shape == (2, 5, net.size)
    alone = net.loss_and_grad(params[1, 3], inputs, targets, flat_spot=0.05)
    np.testing.assert_array_equal(alone[0], error[1, 3])
    np.testing.assert_array_equal(alone[1], grad[1, 3])
    np.testing.assert_array_equal(net.error(params, inputs, targets), error)


def test_flat_spot_adds_c_to_saturating_units_and_leaves_e_exact():
    net = Layered([2, 2, 1], output_activation="identity")
    inputs, targets = data(net)
    params = np.random.default_rng(4).normal(size=net.size)
    plain, flat = net.loss_and_grad(params, inputs, targets), net.loss_and_grad(params, inputs, targets, 0.1)
    assert plain[0] == flat[0]
    W2_and_b2 = slice(6, 9)  # the identity output's own weights see f′ = 1 either way
    np.testing.assert_array_equal(plain[1][W2_and_b2], flat[1][W2_and_b2])
    assert not np.array_equal(plain[1][:6], flat[1][:6])


def test_a_flat_spot_at_the_outputs_only_leaves_the_hidden_layers_slopes_exact():
    net = Layered([2, 2, 2])
    inputs, targets = [[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [1.0, 0.0]]
    params = np.random.default_rng(6).normal(size=net.size)
    params[:6] = 900.0  # the hidden units saturated for every input: x ≥ 1800, σ′ underflows to 0
    exact, outputs_only, everywhere = (
        net.loss_and_grad(params, inputs, targets, flat_spot=flat_spot) for flat_spot in (0.0, (0.0, 0.1), 0.1)
    )
    hidden = slice(0, 6)
    np.testing.assert_array_equal(outputs_only[1][hidden], exact[1][hidden])  # 0: the true slope has underflowed
    assert not np.any(everywhere[1][hidden] == 0.0)  # Fahlman's offset gives them a slope of c
    assert not np.array_equal(outputs_only[1][6:], exact[1][6:])  # the output units' gradient has the offset
    compiled = evaluate(plan_of(net), params[None], np.array(inputs), np.array(targets), (0.0, 0.1), np.arange(2))
    np.testing.assert_array_equal(compiled.grad[0], outputs_only[1])


def test_overflow_gives_inf_or_nan_without_warnings():
    net = Layered([2, 3, 1], output_activation="identity")
    params = np.full(net.size, 1e200)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        error, grad = net.loss_and_grad(params, [[1e200, 1e200]], [[0.0]])
        assert error == np.inf and grad.shape == params.shape  # the runner marks such a run diverged
        saturated = Layered([2, 2, 1]).loss_and_grad(np.full(9, 800.0), [[1.0, 1.0]], [[0.0]])
        assert np.isfinite(saturated[0])


def test_saturated_units_keep_a_gradient_with_the_right_sign():
    net = Layered([1, 1, 1], bias=False, activation="tanh")
    grad = net.loss_and_grad([30.0, 1.0], [[1.0]], [[-1.0]])[1]
    assert 0 < grad[0] < 1e-20 and grad[1] > 0  # 1 − tanh²(30) = 3.5e-26, not 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Layered([2]), r"sizes must list at least 2 integers >= 1"),
        (lambda: Layered([2, 0, 1]), r"sizes must list at least 2 integers >= 1 .*got \[2, 0, 1\]"),
        (lambda: Layered([2, 2.5, 1]), r"sizes must list at least 2 integers >= 1"),
        (
            lambda: Layered([2, 1], activation="rel"),
            r"unknown activation 'rel'.*; available: sigmoid, tanh, identity, "
            r"relu",
        ),
        (lambda: Layered([2, 1], bias="yes"), r"bias must be true or false, got 'yes'"),
        (lambda: Layered.from_dict({"sizes": [2, 1], "layers": 3}), r"network has an unknown key 'layers'"),
        (
            lambda: Layered([2, 1]).loss_and_grad(np.zeros(4), [[1, 2]], [[0]]),
            r"last axis of length 3, got shape \(4,\)",
        ),
        (lambda: Layered([2, 1]).error(np.zeros(3), [[1, 2, 3]], [[0]]), r"inputs must have 2 columns, got 3"),
        (lambda: Layered([2, 1]).error(np.zeros(3), [[1, 2], [3]], [[0], [1]]), r"row 2 has 1 value where row 1 has 2"),
        (lambda: Layered([2, 1]).error(np.zeros(3), [[1, np.nan]], [[0]]), r"inputs must be finite, got nan"),
        (lambda: Layered([2, 1]).error(np.zeros(3), [[1, 2]], [[0], [1]]), r"same number of samples, got 1 and 2"),
        (lambda: Layered([2, 1]).loss_and_grad(np.zeros(3), [[1, 2]], [[0]], -1), r"flat_spot must be a finite"),
    ],
)
def test_bad_input_gets_one_line_naming_the_value(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# Optimizers on the layered network, against torch.optim

SETTINGS = json.loads(str(FIXTURE["settings"]))


@pytest.mark.parametrize("key", sorted(SETTINGS))
def test_optimizer_trajectories_on_10_5_10_equal_torch_optim(key):
    """Closed loop (optarena's network and optimizer) and replay (fed the fixture's gradients), 300 steps."""
    optimizer = optimizers.get(SETTINGS[key]["optimizer"], **SETTINGS[key]["hyperparameters"])
    reference, grads = FIXTURE[f"trajectories/{key}"], FIXTURE[f"trajectories/{key}/grads"]
    tolerance = 1e-12 if key == "adam" else 0.0  # Adam divides by √(1 − β2^t) where torch multiplies by 1/√(…)
    task = network.get_task("encoder-10-5-10")
    assert reference.shape == (301, 4, task.network.size)
    closed, replayed = reference[0], reference[0]
    closed_state, replay_state = optimizer.init(closed), optimizer.init(replayed)
    for step in range(300):
        error, grad = task.loss_and_grad(closed)
        closed, closed_state = optimizer.step(closed, grad, closed_state, loss=error)
        replayed, replay_state = optimizer.step(replayed, grads[step], replay_state)
        np.testing.assert_allclose(closed, reference[step + 1], rtol=0, atol=tolerance)
        np.testing.assert_allclose(replayed, reference[step + 1], rtol=0, atol=tolerance)
    assert np.abs(reference[-1] - reference[0]).max() > 0.5  # the runs went somewhere


@pytest.mark.parametrize(
    ("arithmetic", "saturates_at"), [(PERIOD, 37.5), (PERIOD_SINGLE, 17.5)], ids=["period", "period-single"]
)
def test_the_period_arithmetic_loses_the_slope_where_the_rounded_output_reaches_its_bound(arithmetic, saturates_at):
    """A 1-1 sigmoid unit with target 1: optarena's σ(x)·σ(−x) and t − r stay positive, the codes of the time
    formed r·(1 − r) and t − r from the rounded r, which are exactly 0 once r rounds to 1 (x ≳ 37 in float64,
    x ≳ 17 in float32); below that they agree with the exact gradient to rounding."""
    net = network.Layered([1, 1], bias=False)
    for weight, zero in ((saturates_at, True), (saturates_at - 2.5, False), (3.0, False)):
        exact = net.loss_and_grad([[weight]], [[1.0]], [[1.0]])[1][0, 0]
        period = net.loss_and_grad([[weight]], [[1.0]], [[1.0]], FlatSpot(0.0, 0.0, arithmetic))[1][0, 0]
        assert exact < 0
        assert (period == 0.0) == zero, weight
        if not zero:
            assert period == pytest.approx(exact, rel=1e-6 if arithmetic == PERIOD_SINGLE else 1e-12)


@pytest.mark.parametrize("arithmetic", [PERIOD, PERIOD_SINGLE])
@pytest.mark.parametrize("flat_spot", [0.0, (0.0, 0.1), 0.1])
def test_the_compiled_pass_forms_the_period_gradient_with_numpys_bits(arithmetic, flat_spot):
    net = network.Layered([3, 4, 2], activation="tanh", output_activation="sigmoid")
    params = np.random.default_rng(3).uniform(-30, 30, size=(200, net.size))  # many saturated units
    inputs, targets = np.eye(3), np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    rule = FlatSpot(*network.validation.checked_flat_spot(flat_spot)[:2], arithmetic)
    reference = net.loss_and_grad(params, inputs, targets, rule)
    compiled = evaluate(plan_of(net), params, inputs, targets, rule, np.arange(3))
    assert np.array_equal(compiled.error, reference[0]) and np.array_equal(compiled.grad, reference[1])
    assert np.array_equal(reference[0], net.loss_and_grad(params, inputs, targets)[0])  # E stays exact


def test_the_articles_closed_form_refuses_the_period_arithmetic_in_one_line():
    with pytest.raises(ValueError, match="closed-form gradient forms σ′ exactly; the period arithmetic runs in the"):
        network.loss_and_grad([0.5, 2.0], [1.0], [0.9], flat_spot=FlatSpot(0.0, 0.0, PERIOD))
