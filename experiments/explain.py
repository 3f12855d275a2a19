"""`optarena explain`: the article's derivation with numbers, as terminal text, Markdown or LaTeX.

The numbers come from `network.derivation.derive`; this module only lays them
out: one list of sections, each a list of rows (equation, what it is, the
formula in text and in LaTeX, its value), rendered three ways.
"""

from __future__ import annotations

from dataclasses import dataclass

from network.derivation import Derivation
from network.sigmoid import sigmoid_derivative

FORMATS = ("text", "markdown", "latex")
WORKED_EXAMPLE = {"inputs": [1.0], "targets": [0.9], "w_h": 0.5, "w_o": 2.0}  # the single-sample task


@dataclass(frozen=True)
class Row:
    equation: str  # "eq. 1.2", or "" for a definition
    meaning: str
    text: str  # the formula in plain text
    latex: str  # the formula in LaTeX
    value: float


def number(value: float) -> str:
    """15 significant digits: enough to check any value against the network to the last printed digit.

    >>> number(0.1), number(-2.0), number(1.23456789012345678e-20)
    ('0.1', '-2', '1.23456789012346e-20')
    """
    return f"{value:.15g}"


def sections(d: Derivation) -> list[tuple[str, list[Row]]]:
    """The derivation as titled sections of rows, in the article's order."""
    parts = []
    for index, s in enumerate(d.samples, start=1):
        where = f"sample {index}: i = {number(s.input)}, t = {number(s.target)}"
        parts.append(
            (
                f"Forward pass, {where}",
                [
                    Row("", "hidden input", "w_h·i", r"w_h \cdot i", s.hidden_input),
                    Row("", "hidden output", "r_h = σ(w_h·i)", r"r_h = \sigma(w_h \cdot i)", s.r_h),
                    Row("", "output input", "w_o·r_h", r"w_o \cdot r_h", s.output_input),
                    Row("", "output", "r_o = σ(w_o·r_h)", r"r_o = \sigma(w_o \cdot r_h)", s.r_o),
                    Row("", "error", "E = (t − r_o)²/2", r"E = \frac{(t - r_o)^2}{2}", s.error),
                ],
            )
        )
        parts.append(
            (
                f"∂E/∂w_o factor by factor, {where}",
                [
                    Row("eq. 1.2", "outer derivative", "½·2(t − r_o) = t − r_o", r"\tfrac{1}{2} \cdot 2(t - r_o) = t - r_o", s.outer),
                    Row("eq. 1.4", "σ′ at the output", "σ′(w_o·r_h) = r_o(1 − r_o)", r"\sigma'(w_o \cdot r_h) = r_o(1 - r_o)", s.output_slope),
                    Row("eq. 1.4", "inner derivative", "∂(w_o·r_h)/∂w_o = r_h", r"\frac{\partial (w_o \cdot r_h)}{\partial w_o} = r_h", s.inner_o),
                    Row("eq. 1.3", "", "∂(t − r_o)/∂w_o = −r_o(1 − r_o)·r_h", r"\frac{\partial (t - r_o)}{\partial w_o} = -r_o(1 - r_o) \cdot r_h", -s.output_slope * s.inner_o),
                    Row("product", "", "∂E/∂w_o = −(t − r_o)·r_o(1 − r_o)·r_h", r"\frac{\partial E}{\partial w_o} = -(t - r_o) \cdot r_o(1 - r_o) \cdot r_h", s.d_error_d_w_o),
                ],
            )
        )  # fmt: skip
        parts.append(
            (
                f"∂E/∂w_h factor by factor, {where}",
                [
                    Row("eq. 2.2", "outer derivative", "t − r_o", r"t - r_o", s.outer),
                    Row("eq. 2.5", "σ′ at the output", "r_o(1 − r_o)", r"r_o(1 - r_o)", s.output_slope),
                    Row("eq. 2.6", "the output weight", "w_o", r"w_o", d.w_o),
                    Row("eq. 2.7", "σ′ at the hidden unit, times i", "∂σ(w_h·i)/∂w_h = r_h(1 − r_h)·i", r"\frac{\partial \sigma(w_h \cdot i)}{\partial w_h} = r_h(1 - r_h) \cdot i", s.hidden_slope),
                    Row("eq. 2.8", "", "∂(w_o·r_h)/∂w_h = w_o·r_h(1 − r_h)·i", r"\frac{\partial (w_o \cdot r_h)}{\partial w_h} = w_o \cdot r_h(1 - r_h) \cdot i", s.inner_h),
                    Row("product", "", "∂E/∂w_h = −(t − r_o)·r_o(1 − r_o)·w_o·r_h(1 − r_h)·i", r"\frac{\partial E}{\partial w_h} = -(t - r_o) \cdot r_o(1 - r_o) \cdot w_o \cdot r_h(1 - r_h) \cdot i", s.d_error_d_w_h),
                ],
            )
        )  # fmt: skip
    count = len(d.samples)
    parts.append(
        (
            f"Over all {count} sample{'s' if count > 1 else ''}, and a finite-difference check",
            [
                Row("", "error", "E = Σ (t − r_o)²/2", r"E = \sum \frac{(t - r_o)^2}{2}", d.error),
                Row("", "gradient", "∂E/∂w_h = Σ", r"\frac{\partial E}{\partial w_h} = \sum", d.d_error_d_w_h),
                Row("", "gradient", "∂E/∂w_o = Σ", r"\frac{\partial E}{\partial w_o} = \sum", d.d_error_d_w_o),
                Row("", "central differences", "(E(w_h + h) − E(w_h − h))/2h", r"\frac{E(w_h + h) - E(w_h - h)}{2h}", d.numerical_d_w_h),
                Row("", "central differences", "(E(w_o + h) − E(w_o − h))/2h", r"\frac{E(w_o + h) - E(w_o - h)}{2h}", d.numerical_d_w_o),
            ],
        )
    )  # fmt: skip
    parts.append(
        (
            f"Updates: gradient descent (the article's rule, η = {number(d.eta)}) and RProp (step Δ = {number(d.rprop_step)})",
            [
                Row("", "gradient descent", "Δw_h = −η·∂E/∂w_h", r"\Delta w_h = -\eta \cdot \frac{\partial E}{\partial w_h}", d.gd_update_h),
                Row("", "gradient descent", "Δw_o = −η·∂E/∂w_o", r"\Delta w_o = -\eta \cdot \frac{\partial E}{\partial w_o}", d.gd_update_o),
                Row("", "new weight", "w_h + Δw_h", r"w_h + \Delta w_h", d.w_h + d.gd_update_h),
                Row("", "new weight", "w_o + Δw_o", r"w_o + \Delta w_o", d.w_o + d.gd_update_o),
                Row("", "RProp, sign only", "Δw_h = −Δ·sign(∂E/∂w_h)", r"\Delta w_h = -\Delta \cdot \operatorname{sign}\left(\frac{\partial E}{\partial w_h}\right)", d.rprop_update_h),
                Row("", "RProp, sign only", "Δw_o = −Δ·sign(∂E/∂w_o)", r"\Delta w_o = -\Delta \cdot \operatorname{sign}\left(\frac{\partial E}{\partial w_o}\right)", d.rprop_update_o),
            ],
        )
    )  # fmt: skip
    return parts


def saturation_notes(d: Derivation) -> list[str]:
    """A sentence for every unit whose output rounds to exactly 0 or 1, where r(1 − r) would read as 0 but is not.

    >>> from network.derivation import derive
    >>> saturation_notes(derive([1.0], [0.9], w_h=40.0, w_o=2.0))[0][:60]
    'sample 1: r_h = σ(40) rounds to 1 in float64, yet r_h(1 − r_'
    """
    notes = []
    for index, s in enumerate(d.samples, start=1):
        for unit, x, r in (("r_h", s.hidden_input, s.r_h), ("r_o", s.output_input, s.r_o)):
            if r in (0.0, 1.0):
                notes.append(
                    f"sample {index}: {unit} = σ({number(x)}) rounds to {r:g} in float64, yet {unit}(1 − {unit}) "
                    f"is {number(float(sigmoid_derivative(x)))}, not 0: σ′ is computed from the pre-activation as "
                    "σ(x)·σ(−x), so the derivative keeps its sign (the unit is saturated, its σ′ tiny)."
                )
    return notes


def render(d: Derivation, form: str = "text") -> str:
    """The derivation as ``text`` (a terminal), ``markdown`` or ``latex`` (align blocks to paste into notes)."""
    if form not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {form!r}")
    title = (
        f"The 1-1-1 network at w_h = {number(d.w_h)}, w_o = {number(d.w_o)}: the seed article's derivation with numbers"
    )
    closing = "Only the signs of the derivatives enter RProp's step; gradient descent scales the step by their size."
    closing = "\n".join([*saturation_notes(d), closing])
    return {"text": _text, "markdown": _markdown, "latex": _latex}[form](title, sections(d), closing)


def _text(title: str, parts, closing: str) -> str:
    lines = [title]
    for heading, rows in parts:
        lines += ["", heading]
        width = max(len(row.text) for row in rows)
        for row in rows:
            label = f"{row.equation:8} " if any(r.equation for r in rows) else ""
            lines.append(f"  {label}{row.text:{width}}  = {number(row.value):>22}   {row.meaning}".rstrip())
    return "\n".join([*lines, "", closing]) + "\n"


def _markdown(title: str, parts, closing: str) -> str:
    lines = [f"# {title}"]
    for heading, rows in parts:
        lines += ["", f"## {heading}", "", "| eq. | quantity | formula | value |", "|---|---|---|---:|"]
        lines += [f"| {row.equation} | {row.meaning} | {row.text} | {number(row.value)} |" for row in rows]
    return "\n".join([*lines, "", closing]) + "\n"


def _latex(title: str, parts, closing: str) -> str:
    lines = [f"% {title}"]
    for heading, rows in parts:
        lines += ["", f"% {heading}", r"\begin{align}"]
        body = [
            f"{row.latex} &= {number(row.value)}" + (rf" && \text{{{row.equation}}}" if row.equation else "")
            for row in rows
        ]
        lines += [line + r" \\" for line in body[:-1]] + [body[-1], r"\end{align}"]
    return "\n".join([*lines, "", *(f"% {line}" for line in closing.splitlines())]) + "\n"
