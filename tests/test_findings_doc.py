"""docs/findings.md says what its tables say: each table it shows is the committed run's, and every measured
number in its prose is found in those tables (docs/results/), so a sentence cannot outlive its numbers."""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
FINDINGS = (DOCS / "findings.md").read_text()
SECTIONS = {  # heading: the committed tables its numbers come from, and the stated inputs its prose may also name
    "## The field's own comparison: Riedmiller & Braun (1993), rerun": (
        ["results/riedmiller-braun-1993/published_comparison.md", "results/riedmiller-braun-1993/summary.md"],
        {"0.5", "0.05", "0.1", "1.3", "2.154", "7", "6"},  # ±0.5, ε, the offset, μ, a grid value, 7 min 6 s
    ),
    "## Real data: held-out error and a tuning budget": (
        ["results/real/summary.md", "results/real/summary-classic-field.md"],
        {"0.5", "0.25", "0.9", "0.1", "0.99", "1e-4"},  # fractions, the example's ranges, ±0.9 points of a split
    ),
    "## The field of today: warm-up, cosine decay and the optimizers of 2016–2024": (
        ["results/modern/summary.md", "results/real/summary.md"],
        {"0.1", "0.01"},  # AdamW's largest η and its λ
    ),
    "## MNIST-1D: a published table rerun, then every optimizer on its MLP": (
        ["results/mnist1d-published/published.md", "results/mnist1d/summary.md"],
        {"0.01", "1e-2", "20"},  # the authors' learning rate, the validation share
    ),
}


def section(heading: str) -> str:
    start = FINDINGS.index(heading)
    end = FINDINGS.find("\n## ", start + len(heading))
    return FINDINGS[start : end if end >= 0 else None]


def prose_and_tables(text: str) -> tuple[str, list[str]]:
    """The text without its tables and code blocks, and the table rows it shows."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    rows = [line for line in text.splitlines() if line.startswith("|") and not line.startswith("|---")]
    return "\n".join(line for line in text.splitlines() if not line.startswith("|")), rows


def measured_numbers(prose: str) -> set[str]:
    """Decimals and percentages: what a run measured (counts and settings are checked where they are tabled)."""
    return set(re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?= ?%)|(?<![\w.])\d+\.\d+(?![\w.])", prose))


def found(number: str, sources: str, prose: str) -> bool:
    if number in sources:
        return True
    percent = re.search(rf"(?<![\d.]){re.escape(number)}(?:–[\d.]+)? ?%|–{re.escape(number)} ?%", prose)
    return bool(percent) and any(f"{float(number) / 100:.{digits}f}" in sources for digits in (2, 3))


@pytest.mark.parametrize("heading", list(SECTIONS), ids=["riedmiller-braun", "real", "modern", "mnist1d"])
def test_every_table_row_the_findings_show_is_the_committed_runs(heading):
    files, _ = SECTIONS[heading]
    sources = "\n".join((DOCS / file).read_text() for file in files)
    _, rows = prose_and_tables(section(heading))
    assert rows, "no table"
    missing = [row for row in rows if row not in sources]
    assert missing == [], missing[:3]


@pytest.mark.parametrize("heading", list(SECTIONS), ids=["riedmiller-braun", "real", "modern", "mnist1d"])
def test_every_measured_number_in_the_findings_prose_is_in_its_tables(heading):
    files, stated = SECTIONS[heading]
    sources = "\n".join((DOCS / file).read_text() for file in files)
    prose, _ = prose_and_tables(section(heading))
    unmatched = sorted(n for n in measured_numbers(prose) - stated if not found(n, sources, prose))
    assert unmatched == []


def test_the_findings_hold_no_orphan_table_header():
    """A header with no rows under it stood alone below the main table."""
    lines = FINDINGS.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("| ") and (i == 0 or not lines[i - 1].startswith("|")):
            assert i + 2 < len(lines) and lines[i + 1].startswith("|---") and lines[i + 2].startswith("|"), line
