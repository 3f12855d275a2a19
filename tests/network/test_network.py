"""The network computes the article's error and closed-form gradient, exactly and without warnings."""

import math

import mpmath
import numpy as np
import pytest

import network
from network.sigmoid import sigmoid_and_complement

mpmath.mp.dps = 160


def reference_error(w_h, w_o, inputs, targets):
    """E = Σ (t − σ(w_o·σ(w_h·i)))²/2 in 160-digit arithmetic."""
    sigma = lambda x: 1 / (1 + mpmath.exp(-x))  # noqa: E731
    return sum((t - sigma(w_o * sigma(w_h * i))) ** 2 / 2 for i, t in zip(inputs, targets, strict=True))


def reference_gradient(w_h, w_o, inputs, targets):
    """Central differences of the 160-digit error, step 1e-70: exact for gradients down to 1e-80."""
    w_h, w_o = mpmath.mpf(w_h), mpmath.mpf(w_o)
    inputs, targets = [mpmath.mpf(v) for v in inputs], [mpmath.mpf(v) for v in targets]
    h = mpmath.mpf("1e-70")
    d_h = (reference_error(w_h + h, w_o, inputs, targets) - reference_error(w_h - h, w_o, inputs, targets)) / (2 * h)
    d_o = (reference_error(w_h, w_o + h, inputs, targets) - reference_error(w_h, w_o - h, inputs, targets)) / (2 * h)
    return float(d_h), float(d_o), float(reference_error(w_h, w_o, inputs, targets))


def test_worked_example_matches_the_articles_formulas_written_out():
    w_h, w_o, i, t = 0.5, 2.0, 1.0, 0.9
    r_h = 1 / (1 + math.exp(-w_h * i))
    r_o = 1 / (1 + math.exp(-w_o * r_h))
    dE_dw_o = -(t - r_o) * r_o * (1 - r_o) * r_h
    dE_dw_h = -(t - r_o) * r_o * (1 - r_o) * w_o * r_h * (1 - r_h) * i

    E, grad = network.loss_and_grad([w_h, w_o], [i], [t])

    assert E == pytest.approx((t - r_o) ** 2 / 2, rel=1e-14)
    assert grad.tolist() == pytest.approx([dE_dw_h, dE_dw_o], rel=1e-13)
    # The same numbers, computed by hand to 30 digits with mpmath:
    assert E == pytest.approx(0.00763612954961382135588560493385, rel=1e-14)
    assert grad.tolist() == pytest.approx(
        [-0.0100829446667206236825648263294, -0.0133534550050176652299818903731], rel=1e-13
    )


def test_forward_pass_is_the_article_network():
    a = network.activations([0.5, 2.0], [1.0, -3.0])
    assert a.r_h.tolist() == pytest.approx([1 / (1 + math.exp(-0.5)), 1 / (1 + math.exp(1.5))], rel=1e-15)
    assert a.r_o.tolist() == pytest.approx([1 / (1 + math.exp(-2 * r)) for r in a.r_h], rel=1e-15)
    np.testing.assert_array_equal(network.forward([0.5, 2.0], [1.0, -3.0]), a.r_o)


def test_gradient_equals_high_precision_differences_at_1000_points_including_saturated_ones():
    rng = np.random.default_rng(2024)
    for _ in range(1000):
        samples = rng.integers(1, 4)
        inputs = rng.uniform(-4, 4, samples)
        targets = np.where(rng.random(samples) < 0.3, rng.integers(0, 2, samples), rng.uniform(0.05, 0.95, samples))
        # |w_h·i| up to 40 and |w_o·r_h| up to 40: deep in the sigmoid's flat spots.
        w_h = rng.uniform(-40, 40) / max(1.0, np.abs(inputs).max())
        w_o = rng.uniform(-40, 40)

        E, grad = network.loss_and_grad([w_h, w_o], inputs, targets)
        d_h, d_o, exact_E = reference_gradient(w_h, w_o, inputs, targets)

        assert E == pytest.approx(exact_E, rel=1e-12, abs=1e-300)
        assert grad[0] == pytest.approx(d_h, rel=1e-11, abs=1e-300)
        assert grad[1] == pytest.approx(d_o, rel=1e-11, abs=1e-300)


def test_gradient_check_agrees_with_float64_central_differences_at_1000_points():
    rng = np.random.default_rng(7)
    weights = rng.uniform(-6, 6, size=(1000, 2))
    inputs, targets = rng.uniform(-2, 2, 5), rng.uniform(0, 1, 5)

    check = network.check_gradient(weights, inputs, targets)

    assert check.ok.shape == (1000,)
    assert check.ok.all()
    assert check.max_abs_error.max() < 1e-8


def test_gradient_check_catches_a_wrong_gradient():
    weights, inputs, targets = np.array([0.5, 2.0]), [1.0], [0.9]
    check = network.check_gradient(weights, inputs, targets)
    wrong = check.analytic * np.array([1.0, 1.01])
    assert not np.isclose(wrong, check.numerical, rtol=1e-5, atol=1e-8).all()
    assert check.ok


def test_sigmoid_derivative_does_not_collapse_where_the_output_rounds_to_one():
    assert network.sigmoid(40.0) == 1.0
    assert network.sigmoid_derivative(40.0) == pytest.approx(math.exp(-40), rel=1e-12)
    assert network.sigmoid_derivative(700.0) > 0.0
    assert network.sigmoid_derivative(-700.0) > 0.0


def test_sigmoid_and_its_complement_are_within_two_and_a_half_ulp_of_the_truth_over_the_whole_range():
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.uniform(-3, 3, 4000), rng.uniform(-40, 40, 3000), rng.uniform(-744, 744, 3000)])
    s, one_minus_s = sigmoid_and_complement(x)
    with mpmath.workprec(120):
        for value, computed in zip(x, np.stack([s, one_minus_s], axis=1), strict=True):
            true = [1 / (1 + mpmath.exp(-mpmath.mpf(value))), 1 / (1 + mpmath.exp(mpmath.mpf(value)))]
            for got, expected in zip(computed, true, strict=True):
                if float(expected) >= np.finfo(float).tiny:  # subnormal results carry fewer bits
                    assert abs(mpmath.mpf(float(got)) - expected) <= 2.5 * math.ulp(float(expected))


def test_sigmoid_gives_nan_for_nan_and_the_limits_for_infinities_without_warnings():
    s, one_minus_s = sigmoid_and_complement(np.array([np.nan, np.inf, -np.inf]))
    assert np.isnan(s[0]) and np.isnan(one_minus_s[0])
    assert s[1:].tolist() == [1.0, 0.0] and one_minus_s[1:].tolist() == [0.0, 1.0]


def test_a_saturated_network_still_has_a_nonzero_gradient_of_the_right_sign():
    E, grad = network.loss_and_grad([50.0, 45.0], [1.0], [1.0])  # r_h and r_o both round to 1
    assert E > 0 and (grad < 0).all()


@pytest.mark.parametrize("weights", [[1e308, 1e308], [-1e308, 1e308], [1e300, -1e300], [0.0, 1e308]])
@pytest.mark.parametrize("inputs", [[1e308], [-1e308], [1.0, -2.0]])
def test_huge_finite_inputs_give_no_warnings(weights, inputs):
    # pytest turns every warning into an error (filterwarnings = error).
    targets = [0.5] * len(inputs)
    network.loss_and_grad(weights, inputs, targets)
    network.forward(weights, inputs)


def test_population_shapes_follow_the_leading_axes():
    weights = np.zeros((3, 4, 2))
    E, grad = network.loss_and_grad(weights, [1.0, 2.0], [0.5, 0.2])
    sample_E, sample_grad = network.per_sample_loss_and_grad(weights, [1.0, 2.0], [0.5, 0.2])
    assert E.shape == (3, 4) and grad.shape == (3, 4, 2)
    assert sample_E.shape == (3, 4, 2) and sample_grad.shape == (3, 4, 2, 2)
    assert network.forward(weights, [1.0, 2.0]).shape == (3, 4, 2)


def test_batch_error_and_gradient_are_sums_of_the_per_sample_ones():
    weights = np.random.default_rng(0).normal(size=(10, 2))
    inputs, targets = np.array([-1.0, 0.5, 2.0]), np.array([0.1, 0.7, 0.9])
    E, grad = network.loss_and_grad(weights, inputs, targets)
    for sample in range(3):
        one_E, one_grad = network.loss_and_grad(weights, inputs[sample : sample + 1], targets[sample : sample + 1])
        np.testing.assert_array_equal(network.per_sample_loss_and_grad(weights, inputs, targets)[0][..., sample], one_E)
        np.testing.assert_array_equal(
            network.per_sample_loss_and_grad(weights, inputs, targets)[1][..., sample, :], one_grad
        )
    np.testing.assert_allclose(E, network.error(weights, inputs, targets), rtol=0, atol=0)
    assert grad.shape == weights.shape


@pytest.mark.parametrize(
    ("weights", "inputs", "targets", "error", "message"),
    [
        (
            [1.0, 2.0, 3.0],
            [1.0],
            [0.5],
            ValueError,
            r"weights must have a last axis of length 2 .* got shape \(3,\)",
        ),
        (1.0, [1.0], [0.5], ValueError, r"weights must have a last axis of length 2 .* got shape \(\)"),
        ("ab", [1.0], [0.5], TypeError, "weights must be an array of real numbers, got 'ab'"),
        (
            [1.0, 2.0],
            [],
            [],
            ValueError,
            r"inputs must be a non-empty 1-D array of samples \(or one column\), got shape \(0,\)",
        ),
        (
            [1.0, 2.0],
            [[1.0, 2.0]],
            [0.5],
            ValueError,
            r"inputs must be a non-empty 1-D array of samples \(or one column\), got shape \(1, 2\)",
        ),
        ([1.0, 2.0], [np.nan], [0.5], ValueError, "inputs must be finite, got nan"),
        ([1.0, 2.0], [1.0], [np.inf], ValueError, "targets must be finite, got inf"),
        ([1.0, 2.0], [1.0, 2.0], [0.5], ValueError, "same number of samples, got 2 inputs and 1 targets"),
    ],
)
def test_bad_arrays_get_a_clear_message(weights, inputs, targets, error, message):
    with pytest.raises(error, match=message):
        network.loss_and_grad(weights, inputs, targets)


def test_numerical_gradient_rejects_a_bad_step():
    with pytest.raises(ValueError, match="step must be a positive finite number, got -1"):
        network.numerical_gradient([1.0, 2.0], [1.0], [0.5], step=-1)


def test_flat_spot_adds_the_offset_to_both_derivatives_and_keeps_the_error_exact():
    w_h, w_o, i, t, c = 0.5, 2.0, 1.0, 0.9, 0.1
    r_h = 1 / (1 + math.exp(-w_h * i))
    r_o = 1 / (1 + math.exp(-w_o * r_h))
    E, grad = network.loss_and_grad([w_h, w_o], [i], [t], flat_spot=c)
    assert E == network.error([w_h, w_o], [i], [t])
    assert grad.tolist() == pytest.approx(
        [
            -(t - r_o) * (r_o * (1 - r_o) + c) * w_o * (r_h * (1 - r_h) + c) * i,
            -(t - r_o) * (r_o * (1 - r_o) + c) * r_h,
        ],
        rel=1e-13,
    )
    assert abs(network.loss_and_grad([60.0, 60.0], [1.0], [0.0], flat_spot=c)[1][1]) > 0.09  # saturated, alive


def test_flat_spot_at_the_output_only_leaves_the_hidden_derivative_exact():
    """Fahlman's code adds c at every non-input unit; much of the literature at the output only: (hidden, output)."""
    w_h, w_o, i, t, c = 0.5, 2.0, 1.0, 0.9, 0.1
    r_h = 1 / (1 + math.exp(-w_h * i))
    r_o = 1 / (1 + math.exp(-w_o * r_h))
    for accelerate in (True, False):
        grad = network.loss_and_grad([w_h, w_o], [i], [t], flat_spot=(0.0, c), accelerate=accelerate)[1]
        assert grad.tolist() == pytest.approx(
            [
                -(t - r_o) * (r_o * (1 - r_o) + c) * w_o * (r_h * (1 - r_h)) * i,
                -(t - r_o) * (r_o * (1 - r_o) + c) * r_h,
            ],
            rel=1e-13,
        )
    saturated_hidden = network.loss_and_grad([800.0, 1.0], [1.0], [0.2], flat_spot=(0.0, c))[1]
    assert saturated_hidden[0] == 0.0 and saturated_hidden[1] != 0.0  # no slope a saturated hidden unit has not
    assert network.loss_and_grad([800.0, 1.0], [1.0], [0.2], flat_spot=c)[1][0] != 0.0  # Fahlman's: it has one


def test_compiled_and_numpy_agree_to_the_bit_with_a_flat_spot_at_the_output_only():
    weights = np.random.default_rng(8).normal(scale=4, size=(50, 2))
    task = network.get_task("teacher")
    fast = network.loss_and_grad(weights, task.inputs, task.targets, flat_spot=(0.0, 0.1))
    plain = network.loss_and_grad(weights, task.inputs, task.targets, flat_spot=(0.0, 0.1), accelerate=False)
    for compiled, reference in zip(fast, plain, strict=True):
        np.testing.assert_array_equal(compiled, reference)


def test_flat_spot_must_be_a_non_negative_number():
    with pytest.raises(ValueError, match=r"flat_spot must be a finite number >= 0 .*, got -0\.1"):
        network.loss_and_grad([1.0, 1.0], [1.0], [0.5], flat_spot=-0.1)
