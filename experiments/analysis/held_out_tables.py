"""What a held-out experiment found: early stopping, the tuning each optimizer needed, and one cross-task ranking.

The records are one array, ``history[task, schedule, optimizer, study, trial, evaluation, part, metric]``
(parts train/validation/test, metrics error rate/mean loss; `experiments.running.held_out_training`).

- **A run's result** is taken at the evaluation with the lowest validation
  error rate (ties: the lower validation loss, then the earlier epoch), as
  PROBEN1's early stopping: its test accuracy and that epoch.
- **A study's result** is its best trial by the same rule: tuning sees only
  the validation part.  The table gives the mean test accuracy of the
  studies' chosen trials with a 95 % bootstrap interval over the studies.
- **The tuning curve** is the expected best validation accuracy after k
  trials (`experiments.analysis.expected_max`), averaged over the studies.
- **The ranking** treats each (task, schedule) as a problem: its target is
  the median, over the optimizers, of their chosen trials' validation error;
  an optimizer's cost is AlgoPerf's, the median over studies of the fewest
  epochs any trial of the study needed to reach the target (∞ if none did).
  The score is the profile's normalised area up to τ = 4
  (`experiments.analysis.ranking`).  The win rates compare the chosen trials'
  test accuracy on every (task, schedule, study).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from experiments.analysis.expected_max import expected_max_interval
from experiments.analysis.metrics import mean_confidence_interval
from experiments.analysis.ranking import profile_score, win_rates

TRAIN, VALIDATION, TEST = 0, 1, 2
ERROR_RATE, LOSS = 0, 1


def terminal_text(results) -> str:
    """What ``optarena table`` prints for a held-out experiment: the summary, the ranking and the win rates."""
    return "\n".join([
        to_markdown(results.summary, results.spec.trials),
        "\nranking across the tasks (performance-profile score, 1 = fastest to the target everywhere):",
        results.scores.to_string(index=False, float_format=lambda v: f"{v:.3g}"),
        "\nwin rates (row beats column on a task, schedule and study; ties half):",
        results.wins.to_string(float_format=lambda v: f"{v:.2f}", na_rep="·"),
    ])  # fmt: skip


def early_stopping(history: np.ndarray, result_at: str = "best-validation") -> tuple[np.ndarray, np.ndarray]:
    """(evaluation, measures) of each run where it stops early: the evaluation with the lowest validation error
    rate (ties: the lower validation loss, then the earlier), and history[..., evaluation, :, :] there; with
    ``result_at`` = "last", the last evaluation (a published table's final accuracy)."""
    if result_at == "last":
        evaluation = np.full(history.shape[:-3], history.shape[-3] - 1)
        return evaluation, history[..., -1, :, :]
    error = history[..., VALIDATION, ERROR_RATE]
    loss = np.nan_to_num(history[..., VALIDATION, LOSS], nan=np.inf)
    evaluation = np.argmin(np.where(error == error.min(axis=-1, keepdims=True), loss, np.inf), axis=-1)
    measures = np.take_along_axis(history, evaluation[..., None, None, None], axis=-3)[..., 0, :, :]
    return evaluation, measures


def chosen_trials(measures: np.ndarray) -> np.ndarray:
    """The trial each study chooses from its runs' early-stopping ``measures`` (..., trials, part, metric): the
    lowest validation error rate, ties broken by the lower validation loss, then the lower trial index."""
    error = measures[..., VALIDATION, ERROR_RATE]
    loss = np.nan_to_num(measures[..., VALIDATION, LOSS], nan=np.inf)
    return np.argmin(np.where(error == error.min(axis=-1, keepdims=True), loss, np.inf), axis=-1)


def of_chosen(values: np.ndarray, trial: np.ndarray) -> np.ndarray:
    """values[..., trial] per study: a chosen trial's value."""
    return np.take_along_axis(values, trial[..., None], axis=-1)[..., 0]


def trials_table(spec, history: np.ndarray, diverged: np.ndarray) -> pd.DataFrame:
    """One row per run: where it stopped early, its accuracy there on every part, its hyperparameters."""
    epochs = spec.evaluation_epochs()
    evaluation, measures = early_stopping(history, spec.result_at)
    settings = [spec.settings(space) for space in spec.optimizers]
    rows = []
    for index in np.ndindex(evaluation.shape):
        t, s, o, study, trial = index
        at = measures[index]
        rows.append({
            "task": spec.tasks[t].name, "schedule": spec.schedules[s].label, "optimizer": spec.optimizers[o].label,
            "seed": spec.seeds[study], "trial": trial, "hyperparameters": json.dumps(settings[o][study][trial]),
            "best_epoch": int(epochs[evaluation[index]]),
            "train_accuracy": 1 - at[TRAIN, ERROR_RATE], "validation_accuracy": 1 - at[VALIDATION, ERROR_RATE],
            "test_accuracy": 1 - at[TEST, ERROR_RATE], "validation_loss": at[VALIDATION, LOSS],
            "test_loss": at[TEST, LOSS], "diverged_epoch": int(diverged[index]),
        })  # fmt: skip
    return pd.DataFrame(rows)


def curve_ks(trials: int) -> list[int]:
    """The budgets k the tuning curve is given at: 1, 2, 4, … and the whole budget.

    >>> curve_ks(16), curve_ks(10)
    ([1, 2, 4, 8, 16], [1, 2, 4, 8, 10])
    """
    return sorted({2**i for i in range(trials.bit_length()) if 2**i <= trials} | {trials})


def summary(spec, history: np.ndarray, diverged: np.ndarray) -> pd.DataFrame:
    """Per task, schedule and optimizer: the chosen trials' test accuracy [95 % CI], their epochs, the expected
    best validation accuracy after k trials, and how many runs diverged."""
    epochs = spec.evaluation_epochs()
    evaluation, measures = early_stopping(history, spec.result_at)
    trial = chosen_trials(measures)
    ks = curve_ks(spec.trials)
    rows = []
    for cell in np.ndindex(history.shape[:3]):
        t, s, o = cell
        test = 1 - of_chosen(measures[cell][..., TEST, ERROR_RATE], trial[cell])  # per study
        low, high = mean_confidence_interval(test)
        curve, curve_low, curve_high = expected_max_interval(1 - measures[cell][..., VALIDATION, ERROR_RATE], ks)
        rows.append({
            "task": spec.tasks[t].name, "schedule": spec.schedules[s].label, "optimizer": spec.optimizers[o].label,
            "test_accuracy": test.mean(), "ci_low": low, "ci_high": high,
            "validation_accuracy": (1 - of_chosen(measures[cell][..., VALIDATION, ERROR_RATE], trial[cell])).mean(),
            "epochs": float(np.median(epochs[of_chosen(evaluation[cell], trial[cell])])),
            "diverged": float((diverged[cell] >= 0).mean()),
            **{f"best_of_{k}": v for k, v in zip(ks, curve, strict=True)},
            **{f"best_of_{k}_low": v for k, v in zip(ks, curve_low, strict=True)},
            **{f"best_of_{k}_high": v for k, v in zip(ks, curve_high, strict=True)},
        })  # fmt: skip
    return pd.DataFrame(rows)


def ranking(spec, history: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(score table, win-rate matrix) across the problems (task, schedule), as the module docstring defines them."""
    epochs = spec.evaluation_epochs().astype(np.float64)
    _, measures = early_stopping(history, spec.result_at)
    trial = chosen_trials(measures)  # (tasks, schedules, optimizers, studies)
    target = np.median(of_chosen(measures[..., VALIDATION, ERROR_RATE], trial), axis=(-2, -1))  # per problem
    reached = history[..., VALIDATION, ERROR_RATE] <= target[:, :, None, None, None, None]
    first = np.where(reached.any(axis=-1), epochs[np.argmax(reached, axis=-1)], np.inf)  # per run
    names = [space.label for space in spec.optimizers]
    costs = np.median(first.min(axis=-1), axis=-1).reshape(-1, len(names))  # problems × optimizers
    scores = pd.DataFrame({
        "optimizer": names, "score": profile_score(costs),
        "solved": np.isfinite(costs).mean(axis=0), "median_epochs_to_target": np.median(costs, axis=0),
    }).sort_values("score", ascending=False, kind="stable")  # fmt: skip
    test = 1 - of_chosen(measures[..., TEST, ERROR_RATE], trial)  # (tasks, schedules, optimizers, studies)
    per_problem = np.moveaxis(test, 2, -1).reshape(-1, len(names))
    return scores.reset_index(drop=True), pd.DataFrame(win_rates(per_problem), index=names, columns=names)


def readable_summary(summary: pd.DataFrame, trials: int) -> pd.DataFrame:
    """The summary as people read it, best test accuracy first within each task and schedule: test accuracy
    [95 % CI], epochs, the tuning curve at 1, a few and k trials, diverged (summary.md and the report)."""
    ks = curve_ks(trials)
    shown = sorted({ks[0], ks[len(ks) // 2], ks[-1]})
    ordered = summary.sort_values(["task", "schedule", "test_accuracy"], ascending=[True, True, False])
    return pd.DataFrame({
        "task": ordered["task"], "schedule": ordered["schedule"], "optimizer": ordered["optimizer"],
        "test accuracy [95 % CI]": [f"{row.test_accuracy:.3f} [{row.ci_low:.3f}, {row.ci_high:.3f}]"
                                    for row in ordered.itertuples()],
        "epochs": [f"{epochs:g}" for epochs in ordered["epochs"]],
        **{f"best val. acc. after {k}": [f"{v:.3f}" for v in ordered[f"best_of_{k}"]] for k in shown},
        "diverged": [f"{v:.0%}" for v in ordered["diverged"]],
    }).reset_index(drop=True)  # fmt: skip


def to_markdown(summary: pd.DataFrame, trials: int) -> str:
    """`readable_summary` as a Markdown table."""
    table = readable_summary(summary, trials)
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(row) + " |" for row in table.astype(str).itertuples(index=False)]
    return "\n".join(lines)


def ranking_to_markdown(scores: pd.DataFrame, wins: pd.DataFrame) -> str:
    """The score table and the win-rate matrix (row beats column) as Markdown."""
    lines = ["| optimizer | profile score | problems solved | median epochs to the target |", "|---|---|---|---|"]
    for _, row in scores.iterrows():
        score = "–" if np.isnan(row["score"]) else f"{row['score']:.3f}"  # no validation part: no target
        lines.append(f"| {row['optimizer']} | {score} | {row['solved']:.0%} | {row['median_epochs_to_target']:g} |")
    names = list(wins.index)
    lines += ["", "| row beats column | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for name in names:
        cells = ["·" if a == name else f"{wins.loc[name, a]:.2f}" for a in names]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


HOW_MEASURED = """\
How it was measured: each study split the data by its own seed (unless the spec fixed one split), each \
optimizer drew k settings from its space in every study (the same draws for all), trained each from the same \
initial weights on the study's batches (in the schedule's order), and {kept}. A study chose its trial by \
validation error alone; the test accuracy is that trial's, at {epoch}: mean over the studies [95 % bootstrap \
interval over the studies, so it covers the split, the initial weights, the batch order and the tuning draws]. \
"best val. acc. after k" is the expected best validation accuracy of k of the study's trials drawn without \
replacement (the unbiased estimator of Dodge et al. 2021). The profile score (AlgoPerf) counts, per task and \
schedule, the epochs the fastest trial of a study needs to reach the median of the optimizers' chosen validation \
errors (median over studies); 1 is fastest everywhere, 0 never within 4x of the fastest. The win rates compare \
the chosen trials' test accuracy on every task, schedule and study (ties count half)."""
READ_AT = {  # where a spec reads a run's result (`HeldOutSpec.result_at`): how the text says it, and which epoch
    "best-validation": ("kept every run's evaluation with the lowest validation error (early stopping)", "that epoch"),
    "last": ("read every run at its last evaluation (result_at = \"last\", as a published table reports it)",
             "the last epoch"),
}  # fmt: skip


def how_measured(spec) -> str:
    """`HOW_MEASURED` for ``spec``: where it read its runs' results."""
    kept, epoch = READ_AT[spec.result_at]
    return HOW_MEASURED.format(kept=kept, epoch=epoch)


def document(spec, summary: pd.DataFrame, scores: pd.DataFrame, wins: pd.DataFrame) -> str:
    """summary.md: the table, how it was measured, the ranking and the win rates."""
    return "\n\n".join([
        "# Held-out results", to_markdown(summary, spec.trials), how_measured(spec),
        "## Ranking across the tasks", ranking_to_markdown(scores, wins),
    ]) + "\n"  # fmt: skip
