"""Sign-gradient descent (the Manhattan rule): a constant step against the sign of each derivative."""

import pytest

import optimizers


def test_sign_uses_only_the_sign_of_each_derivative():
    rule = optimizers.get("sign", step_size=0.25)
    new_weights, _ = rule.step([[0.0, 0.0], [0.0, 0.0]], [[1e-30, -5.0], [0.0, 3.0]], None)
    assert new_weights.tolist() == [[-0.25, 0.25], [0.0, -0.25]]


@pytest.mark.parametrize(
    ("value", "message"),
    [(0.0, "must be > 0, got 0.0"), (float("inf"), "must be finite, got inf"), ("big", "must be a real number")],
)
def test_bad_step_sizes_are_named_with_what_is_allowed(value, message):
    with pytest.raises((ValueError, TypeError), match=f"^sign: step_size {message}"):
        optimizers.get("sign", step_size=value)
