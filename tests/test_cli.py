"""The optarena command: a real comparison, a listing, and one-line errors with exit code 2."""

import pytest

from experiments.cli import main


def test_run_prints_a_convergence_table_per_task(capsys):
    assert main(["run", "--points", "30", "--epochs", "200"]) == 0
    out = capsys.readouterr().out
    assert "single-sample:" in out and "teacher:" in out
    for name in ["gd", "sign", "rprop+", "rprop-", "irprop+", "irprop-"]:
        assert f"\\n{name} " in repr(out)
    assert "success" in out and "median epochs" in out


def test_list_shows_every_optimizer_with_its_defaults(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "irprop-" in out and "delta0=0.1" in out and "learning_rate=0.5" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--points", "0"], "optarena: error: count must be an integer >= 1, got 0\n"),
        (["run", "--epochs", "-3"], "optarena: error: max_epochs must be an integer >= 1, got -3\n"),
        (
            ["run", "--target", "nan"],
            "optarena: error: target_error must be a positive finite number, got nan\n",
        ),
    ],
)
def test_bad_arguments_get_one_line_and_exit_code_2(capsys, argv, message):
    assert main(argv) == 2
    assert capsys.readouterr().err == message


def test_unknown_task_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--task", "xor"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'xor'" in capsys.readouterr().err
