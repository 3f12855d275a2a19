"""optarena explain: the printed numbers are the network's, the factors multiply to the gradient, formats are stable."""

import math
from pathlib import Path

import numpy as np
import pytest

import network
from experiments import explain
from experiments.cli import main
from network.derivation import derive

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
SNAPSHOT_ARGS = ["--input", "1", "--target", "0.9", "--input", "-2", "--target", "0.2", "--w-h", "0.5", "--w-o", "2",
                 "--eta", "0.3", "--delta", "0.05"]  # fmt: skip


def test_the_worked_example_by_hand_to_12_digits():
    d = derive([1.0], [0.9], w_h=0.5, w_o=2.0, eta=0.5)
    s = d.samples[0]
    # By hand (mpmath, 30 digits): r_h = σ(0.5), r_o = σ(2·r_h)
    assert s.r_h == pytest.approx(0.622459331201854564638900565746, abs=1e-12)
    assert s.r_o == pytest.approx(0.776419018052017232275005641992, abs=1e-12)
    assert s.error == pytest.approx(0.00763612954961382135588560493385, abs=1e-12)
    assert s.outer == pytest.approx(0.9 - 0.776419018052017232275005641992, abs=1e-12)
    assert d.d_error_d_w_o == pytest.approx(-0.0133534550050176652299818903731, abs=1e-12)
    assert d.d_error_d_w_h == pytest.approx(-0.0100829446667206236825648263294, abs=1e-12)
    assert d.gd_update_o == pytest.approx(0.5 * 0.0133534550050176652299818903731, abs=1e-12)
    assert (d.rprop_update_h, d.rprop_update_o) == (0.1, 0.1)


@pytest.mark.parametrize(
    ("inputs", "targets", "w_h", "w_o"),
    [([1.0], [0.9], 0.5, 2.0), ([-2.0, 0.5, 3.0], [0.1, 1.0, 0.0], 1.5, -4.0), ([2.0], [1.0], 30.0, 40.0)],
)
def test_every_value_is_the_networks_and_the_factors_multiply_to_the_gradient(inputs, targets, w_h, w_o):
    d = derive(inputs, targets, w_h, w_o)
    a = network.activations([w_h, w_o], inputs)
    sample_errors, sample_grads = network.per_sample_loss_and_grad([w_h, w_o], inputs, targets)
    for index, s in enumerate(d.samples):
        assert (s.hidden_input, s.r_h, s.output_input, s.r_o) == (
            a.hidden_input[index],
            a.r_h[index],
            a.output_input[index],
            a.r_o[index],
        )
        assert s.error == sample_errors[index]
        assert (s.d_error_d_w_h, s.d_error_d_w_o) == tuple(sample_grads[index])
        assert s.inner_o == s.r_h and s.inner_h == pytest.approx(w_o * s.hidden_slope, rel=1e-15)
        assert -s.outer * s.output_slope * s.inner_o == pytest.approx(s.d_error_d_w_o, rel=1e-14, abs=1e-300)
        assert -s.outer * s.output_slope * w_o * s.hidden_slope == pytest.approx(s.d_error_d_w_h, rel=1e-14, abs=1e-300)
    error, grad = network.loss_and_grad([w_h, w_o], inputs, targets)
    assert (d.error, d.d_error_d_w_h, d.d_error_d_w_o) == (error, grad[0], grad[1])
    assert np.allclose([d.numerical_d_w_h, d.numerical_d_w_o], grad, rtol=1e-5, atol=1e-8)
    assert d.rprop_update_h == -d.rprop_step * np.sign(grad[0])


@pytest.mark.parametrize("form", explain.FORMATS)
def test_the_three_formats_match_their_snapshots(form, capsys):
    assert main(["explain", *SNAPSHOT_ARGS, "--format", form]) == 0
    assert capsys.readouterr().out == (SNAPSHOTS / f"explain.{form}").read_text()


def test_every_printed_number_is_in_the_record(capsys):
    main(["explain", *SNAPSHOT_ARGS])
    printed = capsys.readouterr().out
    d = derive([1.0, -2.0], [0.9, 0.2], 0.5, 2.0, 0.3, 0.05)
    for value in (d.error, d.d_error_d_w_h, d.d_error_d_w_o, d.gd_update_h, d.samples[1].r_o, d.samples[1].inner_h):
        assert explain.number(value) in printed
    assert "eq. 1.2" in printed and "eq. 2.8" in printed and "sign" in printed


def test_no_values_gives_the_worked_example(capsys):
    assert main(["explain"]) == 0
    captured = capsys.readouterr()
    assert "w_h = 0.5, w_o = 2" in captured.out and "worked example" in captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--input", "abc", "--target", "1", "--w-h", "1", "--w-o", "1"],
            "argument --input: must be a number, got 'abc'",
        ),
        (
            ["--input", "nan", "--target", "1", "--w-h", "1", "--w-o", "1"],
            "argument --input: must be a finite number, got 'nan'",
        ),
        (["--input", "1", "--target", "inf", "--w-h", "1", "--w-o", "1"], "argument --target: must be a finite number"),
        (
            ["--input", "1", "--input", "2", "--target", "1", "--w-h", "1", "--w-o", "1"],
            "each input needs a target: got 2 inputs and 1 targets",
        ),
        (["--target", "1.5"], "targets must lie in [0, 1], the range of the sigmoid output, got 1.5"),
        (["--input", "1", "--target", "1", "--w-h", "1", "--w-o", "1", "--eta", "-1"], "eta must be > 0, got -1.0"),
    ],
)
def test_invalid_values_get_one_clear_line(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        code = main(["explain", *argv])
        raise SystemExit(code)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_the_api_refuses_a_non_finite_weight():
    with pytest.raises(ValueError, match="w_h must be a finite number, got nan"):
        derive([1.0], [0.5], math.nan, 1.0)


def test_values_not_given_take_the_worked_examples(capsys):
    assert main(["explain", "--w-o", "3"]) == 0
    captured = capsys.readouterr()
    assert "w_h = 0.5, w_o = 3:" in captured.out.splitlines()[0]
    assert captured.err.startswith("(not given, the worked example's: inputs = [1.0], targets = [0.9], w_h = 0.5;")


def test_a_saturated_unit_is_said_to_be_one(capsys):
    assert main(["explain", "--w-h", "40"]) == 0
    assert (
        "r_h = σ(40) rounds to 1 in float64, yet r_h(1 − r_h) is 4.24835425529159e-18, not 0" in capsys.readouterr().out
    )
    assert main(["explain"]) == 0
    assert "rounds to" not in capsys.readouterr().out


def test_the_documented_sample_output_is_what_the_program_prints(capsys):
    """docs/networks-and-tasks.md's ``$ optarena explain …`` block, up to its "...", is the real output, digit
    for digit."""
    readme = (Path(__file__).resolve().parents[2] / "docs" / "networks-and-tasks.md").read_text(encoding="utf-8")
    block = readme.split("$ optarena explain", 1)[1].split("...", 1)[0]
    arguments, *expected = block.splitlines()
    assert main(["explain", *arguments.split()]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[: len(expected)] == expected
