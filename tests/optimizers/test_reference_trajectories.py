"""The torch.optim reference trajectories themselves: they cover every torch-pinned optimizer, move far, excuse
few runs, and train the built-in tasks.  Each optimizer's own test file replays its trajectories
(``TORCH_REFERENCE``, see conftest.py)."""

import numpy as np

import network


def test_every_torch_class_in_the_field_is_covered(torch_reference):
    _, settings, _, _ = torch_reference
    covered = {setting["optimizer"] for setting in settings.values()}
    assert covered >= {"gd", "momentum", "nesterov", "adagrad", "rmsprop", "rmsprop-centered", "adam", "amsgrad",
                       "irprop-"}  # fmt: skip


def test_few_runs_are_excused_from_the_closed_loop_check(torch_reference):
    trajectories, _, _, cases = torch_reference
    flags = np.concatenate([trajectories[f"{case}/sensitive"] for case in cases()])
    assert flags.mean() < 0.1


def test_the_fixture_moves_far_enough_to_mean_something(torch_reference):
    trajectories, _, _, cases = torch_reference
    for case in cases():
        travelled = np.abs(trajectories[f"{case}"][:, -1] - trajectories[f"{case}"][:, 0]).max(axis=-1)
        assert travelled.max() > 0.2


def test_the_fixture_tasks_are_the_built_in_ones(torch_reference):
    trajectories, _, tasks, _ = torch_reference
    for task in tasks:
        np.testing.assert_array_equal(trajectories[f"{task}/inputs"], network.get_task(task).inputs[:, 0])
        np.testing.assert_array_equal(trajectories[f"{task}/targets"], network.get_task(task).targets[:, 0])
