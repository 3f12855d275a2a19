"""Bring your own optimizer: plugins by entry point, --import and spec imports, and results readable without it."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import experiments
import optimizers

pytestmark = pytest.mark.slow  # plugins installed and run in subprocesses

SIGNUM = textwrap.dedent(
    '''
    """A sign-of-momentum optimizer for the tests (Signum, Bernstein et al. 2018)."""
    from dataclasses import dataclass

    import numpy as np

    import optimizers


    @optimizers.register("signum")
    @dataclass(frozen=True)
    class Signum:
        """Signum: the sign of an interpolated momentum.

        Source: Bernstein et al., "signSGD: compressed optimisation for non-convex problems", ICML 2018.
        """

        learning_rate: float = 0.05
        beta: float = 0.9

        def init(self, weights):
            return np.zeros_like(np.asarray(weights, dtype=float))

        def step(self, weights, grad, state, loss=None):
            update = np.sign(self.beta * state + (1 - self.beta) * grad)
            return weights - self.learning_rate * update, self.beta * state + (1 - self.beta) * grad
    '''
)
SPEC = {
    "name": "with-signum",
    "tasks": ["teacher"],
    "optimizers": [{"name": "signum", "settings": [{"learning_rate": 0.1}]}, "irprop-"],
    "initial_points": {"kind": "uniform", "count": 8, "low": -3.0, "high": 3.0},
    "budget": {"max_epochs": 50},
}


def installed_plugin(folder: Path) -> Path:
    """A folder that, on sys.path, holds the module and the dist-info of an installed package "signum-plugin"."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "signum_plugin.py").write_text(SIGNUM)
    info = folder / "signum_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: signum-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[optarena.optimizers]\nsignum = signum_plugin\n")
    return folder


def optarena(*arguments, plugins: Path | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The optarena CLI in a fresh process, with ``plugins`` on its path (an installed plugin) or not."""
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([*([str(plugins)] if plugins else []), *sys.path]))
    return subprocess.run([sys.executable, "-m", "experiments", *arguments], capture_output=True, text=True,
                          env=environment, cwd=cwd, timeout=600)  # fmt: skip


@pytest.fixture(scope="module")
def plugin_results(tmp_path_factory):
    """A results folder made with the plugin installed, then read where it is not."""
    root = tmp_path_factory.mktemp("plugin")
    plugins = installed_plugin(root / "site")
    (root / "spec.json").write_text(json.dumps(SPEC))
    done = optarena("run", str(root / "spec.json"), "--out", str(root / "out"), "--quiet", "--jobs", "2",
                    plugins=plugins)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return root


def test_an_installed_plugin_is_listed_with_its_origin(tmp_path):
    listing = optarena("list", plugins=installed_plugin(tmp_path)).stdout
    signum = listing[listing.index("  signum ") :].splitlines()
    assert signum[0].split()[1:] == ["Signum:", "the", "sign", "of", "an", "interpolated", "momentum."]
    assert signum[1].strip() == "origin: plugin signum-plugin (signum_plugin)"
    assert "origin: built-in" in listing


def test_a_plugin_runs_in_a_spec_and_its_folder_says_what_it_was(plugin_results):
    stored = json.loads((plugin_results / "out" / "optimizers.json").read_text())
    assert stored["signum"]["origin"] == "plugin signum-plugin (signum_plugin)"
    assert stored["signum"]["hyperparameters"] == {"learning_rate": 0.05, "beta": 0.9}
    assert stored["signum"]["module"] == "signum_plugin" and stored["signum"]["summary"].startswith("Signum:")
    assert stored["irprop-"]["origin"] == "built-in"


@pytest.mark.parametrize("command", [["table"], ["check"], ["plot", "--jobs", "1"], ["animate", "--frames", "3"]])
def test_the_folder_stays_readable_after_the_plugin_is_uninstalled(plugin_results, command):
    done = optarena(command[0], str(plugin_results / "out"), *command[1:])
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    if command == ["table"]:
        assert "signum(learning_rate=0.1)" in done.stdout


def test_experiments_load_reads_the_folder_without_the_plugin(plugin_results):
    script = (
        "import experiments, optimizers\n"
        f"results = experiments.load({str(plugin_results / 'out')!r})\n"
        "print(sorted(results.table()['optimizer']))\n"
        "print(optimizers.origin_of('signum'))\n"
        "print('signum' in optimizers.available())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    labels, origin, listed = done.stdout.splitlines()
    assert labels == "['irprop-', 'signum(learning_rate=0.1)']"
    assert origin == "stored: plugin signum-plugin (signum_plugin) (its code is not importable here)"
    assert listed == "False"


@pytest.mark.parametrize("folder", ["given", "the spec's default"])
def test_resuming_without_the_plugin_says_which_module_to_import(plugin_results, folder, tmp_path):
    if folder == "given":
        done = optarena("run", str(plugin_results / "spec.json"), "--out", str(plugin_results / "out"), "--resume")
    else:  # results/<name>, found from the spec's name before the spec, which names the missing optimizer, is read
        shutil.copytree(plugin_results / "out", tmp_path / "results" / SPEC["name"])
        done = optarena("run", str(plugin_results / "spec.json"), "--resume", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "optarena: error: optimizer 'signum' is not importable here (it came from plugin signum-plugin "
        "(signum_plugin)); install its package or add --import signum_plugin to train with it"
    )


def test_import_on_the_command_line_and_in_a_spec_make_a_module_s_optimizers_known(tmp_path):
    (tmp_path / "my_signum.py").write_text(SIGNUM)
    listing = optarena("list", "--import", str(tmp_path / "my_signum.py")).stdout
    assert f"origin: import {tmp_path / 'my_signum.py'}" in listing
    spec = dict(SPEC, imports=["my_signum.py"])  # relative to the spec's folder
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    done = optarena("run", str(tmp_path / "spec.json"), "--out", str(tmp_path / "out"), "--quiet", "--no-report",
                    "--jobs", "2", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "out" / "spec.json").read_text())["imports"] == [str(tmp_path / "my_signum.py")]


def test_a_module_that_cannot_be_imported_is_a_one_line_error(tmp_path):
    done = optarena("list", "--import", "no_such_module_here")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "optarena: error: cannot import 'no_such_module_here': ModuleNotFoundError: No module named "
        "'no_such_module_here'"
    )


def test_a_broken_plugin_is_reported_and_the_rest_still_works(tmp_path):
    plugins = installed_plugin(tmp_path)
    (plugins / "signum_plugin.py").write_text("raise RuntimeError('broken on purpose')\n")
    done = optarena("list", plugins=plugins)
    assert done.returncode == 0
    assert (
        "optarena: warning: plugin 'signum' (signum_plugin) failed to load: RuntimeError: broken on purpose"
        in done.stderr
    )
    assert "irprop-" in done.stdout


def test_a_stand_in_knows_its_defaults_and_refuses_to_train():
    optimizers.stand_in_for({"name": "far-away", "hyperparameters": {"rate": 0.3}, "summary": "Far away.",
                       "source": "", "origin": "import far_module", "module": "far_module"})  # fmt: skip
    assert optimizers.hyperparameters_of("far-away") == {"rate": 0.3}
    assert optimizers.is_known("far-away") and not optimizers.is_available("far-away")
    stand_in = optimizers.get("far-away", rate=0.1)
    with pytest.raises(optimizers.OptimizerUnavailable, match="add --import far_module to train with it"):
        stand_in.init([0.0, 0.0])
    with pytest.raises(optimizers.OptimizerUnavailable, match="far-away"):
        experiments.run({"name": "x", "tasks": ["teacher"], "optimizers": ["far-away"]})
