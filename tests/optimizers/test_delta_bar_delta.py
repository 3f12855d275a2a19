"""Delta-bar-delta (Jacobs 1988) pinned by hand-computed steps."""

import pytest

import optimizers


def test_delta_bar_delta_by_hand(scripted_steps):
    # ε₀ = 0.1, κ = 0.25, φ = 0.5, θ = 0.7
    steps = scripted_steps("delta-bar-delta", [1.0, 1.0, -1.0, -1.0, 0.0, 1.0])
    rates = [state.learning_rate[0] for _, state in steps]
    bars = [state.bar_delta[0] for _, state in steps]
    updates = [update for update, _ in steps]
    assert rates == pytest.approx([0.1, 0.35, 0.175, 0.0875, 0.0875, 0.04375])  # first: δ̄ = 0, no change
    assert bars == pytest.approx([0.3, 0.51, 0.057, -0.2601, -0.18207, 0.172551])
    assert updates == pytest.approx([-0.1, -0.35, 0.175, 0.0875, 0.0, -0.04375])


@pytest.mark.parametrize(
    ("hyperparameters", "message"),
    [
        ({"decrease": 1.0}, r"decrease must be in \(0, 1\), got 1.0"),
        ({"theta": 1.0}, r"theta must be in \[0, 1\), got 1.0"),
    ],
)
def test_bad_hyperparameters_are_named_with_what_is_allowed(hyperparameters, message):
    with pytest.raises(ValueError, match=f"^delta-bar-delta: {message}$"):
        optimizers.get("delta-bar-delta", **hyperparameters)
