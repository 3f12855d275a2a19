"""Every built-in optimizer's rule compiled by numba: one pass over the parameters, numpy's bits.

Each optimizer's rule (`optimizers.elementwise`) is written once, in its own
file.  Here it is compiled for numbers and applied weight by weight inside
one compiled loop, spread over the cores for large populations: a step reads
and writes every array once instead of through a dozen numpy temporaries.
IEEE arithmetic rounds each operation the same way in both, so the two agree
to the last bit, NaN, infinities and signed zeros included; the tests hold
them to it on random and special values.

`update` is also what the fused training kernels (`experiments.running.kernels.fused`,
`experiments.running.kernels.fused_layered`) call on the networks of a block, and
`coefficients_of` and `refresh_coefficients` what they call for the
coefficients, so that every path runs the same rule.

A step uses this path when numba is allowed: not inside ``numpy_only()``
(which ``accelerate=False`` in the experiments uses) and not with
``OPTARENA_ACCELERATE=0`` in the environment.
"""

from __future__ import annotations

import functools
import types

import numba
import numpy as np
from numba.extending import overload, register_jitable

from optimizers import registry
from optimizers.elementwise import (
    ElementwiseOptimizer,
    choose,
    clip,
    enabled,
    larger,
    lerp,
    numpy_only,
    power,
    shared_functions,
    sign,
    smaller,
    unchanged,
)

__all__ = [
    "PARALLEL_FROM",
    "coefficients_of",
    "compiles",
    "enabled",
    "fits",
    "kind_of",
    "numpy_only",
    "own_functions",
    "own_rule",
    "recompiled",
    "refresh_coefficients",
    "step",
    "update",
]

PARALLEL_FROM = 1 << 15  # parameters: below this a step runs on one core (starting threads costs more)
SLOTS = 4  # per-weight state arrays compiled code carries (Adan's and Schedule-Free AdamW's four)
COEFFICIENTS = 16  # the coefficients of a step compiled code carries


@functools.cache
def rule_table() -> tuple[type, ...]:
    """The classes of the built-in elementwise optimizers, one per rule, in the registry's order: a rule's code
    (`kind_of`) is its place here.  Read from the registry the first time compiled code is made, so that a new
    built-in rule needs no line here: its own file and its registration are all."""
    table, rules = [], set()
    for cls in registry.built_in_classes():
        if issubclass(cls, ElementwiseOptimizer) and cls.rule not in rules:
            rules.add(cls.rule)
            table.append(cls)
    return tuple(table)


def compile_rule(function):
    """``function`` compiled for numbers by numba (cached, numpy's division semantics: no zero check)."""
    return numba.njit(cache=True, error_model="numpy")(function)


_OVERLOAD = {"jit_options": {"cache": True, "error_model": "numpy"}}


@overload(choose, **_OVERLOAD)
def _choose_number(condition, yes, no):
    return lambda condition, yes, no: yes if condition else no


@overload(sign, **_OVERLOAD)
def _sign_number(value):
    def sign_of(value):  # selects, no branches: the compiler vectorizes it
        result = 1.0 if value > 0 else 0.0
        result = -1.0 if value < 0 else result
        return result if value == value else value  # ±0.0 → +0.0; NaN stays NaN

    return sign_of


@overload(clip, **_OVERLOAD)
def _clip_number(value, low, high):
    return lambda value, low, high: low if value < low else (high if value > high else value)


@overload(larger, **_OVERLOAD)
def _larger_number(a, b):
    return lambda a, b: a if a > b or a != a else b


@overload(smaller, **_OVERLOAD)
def _smaller_number(a, b):
    return lambda a, b: a if a < b or a != a else b


@overload(power, **_OVERLOAD)
def _power_number(base, exponent):
    return lambda base, exponent: base**exponent


@overload(lerp, **_OVERLOAD)
def _lerp_number(start, end, weight):
    def lerp_of(start, end, weight):
        if weight < 0.5:
            return (end - start) * weight + start
        return end - (end - start) * (1 - weight)

    return lerp_of


for _function in shared_functions():  # every rule module is imported by now (the registry's table)
    register_jitable(**_OVERLOAD["jit_options"])(_function)

_NO_ARRAY, _NO_FLAGS = np.empty((0, 0)), np.empty(0, dtype=np.bool_)


def kind_of(optimizer) -> int | None:
    """The code of ``optimizer``'s built-in rule, or None: a rule of its own, its own coefficients or its own
    ``step`` (a subclass that overrides them is trained the way it says, through its step)."""
    cls = type(optimizer)
    rule = getattr(cls, "rule", None)
    kind = next((kind for kind, built_in in enumerate(rule_table()) if built_in.rule is rule), None)
    if kind is None or cls.step is not ElementwiseOptimizer.step:
        return None
    if cls.coefficients is not rule_table()[kind].coefficients:
        return None
    return kind


def own_rule(optimizer) -> bool:
    """Whether ``optimizer`` is an `ElementwiseOptimizer` with a rule of its own (a plugin's) that compiled code
    can run: its ``step`` is the rule's, its state starts at zeros in at most `SLOTS` arrays, and its coefficients
    fit the `COEFFICIENTS` that compiled code carries."""
    cls = type(optimizer)
    if not isinstance(optimizer, ElementwiseOptimizer) or cls.step is not ElementwiseOptimizer.step:
        return False
    if cls.initial_slots is not ElementwiseOptimizer.initial_slots:  # the kernels start every network alike
        return False
    if cls.slots > SLOTS:
        return False
    if kind_of(optimizer) is not None or not callable(getattr(cls, "rule", None)):
        return False
    return len(np.atleast_1d(cls.coefficients(optimizer.hyperparameter_vector(), 1))) <= COEFFICIENTS


def compiles(optimizer) -> bool:
    """Whether ``optimizer``'s rule runs compiled: a built-in rule, or a rule of its own (`own_rule`)."""
    return kind_of(optimizer) is not None or own_rule(optimizer)


def fits(optimizer, weights: np.ndarray, *slots: np.ndarray) -> bool:
    """Whether a step of ``optimizer`` on ``weights`` with these state arrays may run compiled: `enabled`, a
    rule that `compiles`, and every array of the weights' shape (anything else goes to numpy, which broadcasts it
    or says what is wrong)."""
    return enabled() and compiles(optimizer) and all(np.shape(a) == weights.shape for a in slots)


_OWN: dict = {}  # rule → its compiled update, coefficients_of and refresh_coefficients (compiled once per process)


def own_functions(optimizer) -> dict:
    """For an optimizer with a rule of its own: `update`, `coefficients_of` and `refresh_coefficients` made for
    its rule, compiled for this process (numba cannot cache code made at run time).  The update is generated
    for the rule's arity: its state arrays, and E > E⁻ if its state keeps ``prev_loss``."""
    cls = type(optimizer)
    if cls.rule not in _OWN:
        update_of_rule = _generated_update([cls], by_kind=False, compile_rule=numba.njit(error_model="numpy"))
        own_coefficients = recompiled(_own_coefficients_of, _own=numba.njit(error_model="numpy")(cls.coefficients))
        _OWN[cls.rule] = {
            "update": numba.njit(error_model="numpy")(update_of_rule),
            "coefficients_of": own_coefficients,
            "refresh_coefficients": recompiled(_own_refresh, coefficients_of=own_coefficients),
        }
    return _OWN[cls.rule]


def recompiled(function, options: dict | None = None, **replacements):
    """``function`` (plain, or a dispatcher's) compiled again, uncached, with some of the globals it uses replaced
    and numba.njit's ``options`` (as its kernel is compiled): how a kernel is made for a rule of its own."""
    function = getattr(function, "py_func", function)
    namespace = {**function.__globals__, **replacements}
    clone = types.FunctionType(function.__code__, namespace, function.__name__, function.__defaults__)
    return numba.njit(error_model="numpy", **(options or {}))(clone)


_OWN_KERNELS: dict = {}  # (kernel, rule of its own) → the kernel compiled with the rule


def kernel_with_rule(optimizer, kernel, options: dict):
    """(a fused training kernel, the rule's code) for ``optimizer``: ``kernel`` itself for a built-in rule (cached
    on disk), or ``kernel`` compiled in this process with numba.njit's ``options`` (as ``kernel`` is) and the
    optimizer's own `update`, `coefficients_of` and `refresh_coefficients` in place of the built-in ones."""
    kind = kind_of(optimizer)
    if kind is not None:
        return kernel, kind
    key = (kernel, type(optimizer).rule)
    if key not in _OWN_KERNELS:
        own = own_functions(optimizer)
        _OWN_KERNELS[key] = recompiled(
            kernel, options, update=own["update"],
            coefficients_of=own["coefficients_of"], refresh_coefficients=own["refresh_coefficients"],
        )  # fmt: skip
    return _OWN_KERNELS[key], -1


def _own_coefficients_of(kind, hyperparameters, count):
    """`coefficients_of` for a rule of its own: its coefficients function (``_own``, set by `recompiled`)."""
    return np.atleast_1d(_own(hyperparameters, count)).copy()  # noqa: F821


def _own_refresh(kind, hyperparameters, count, coefficients) -> None:
    """`refresh_coefficients` for a rule of its own, whose coefficients may change with the step count."""
    coefficients[:] = coefficients_of(kind, hyperparameters, count)


def step(optimizer, coefficients, weights: np.ndarray, grad: np.ndarray, slots, error_rose=None) -> list[np.ndarray]:
    """``optimizer.rule`` applied to every weight in one compiled pass: [new weights, *new state arrays]."""
    outputs = [np.empty(weights.shape) for _ in range(1 + len(slots))]
    padding = [_NO_ARRAY] * (SLOTS - len(slots))
    rose = _NO_FLAGS if error_rose is None else _flat(error_rose)
    kind = kind_of(optimizer)
    kernel = _update[weights.size >= PARALLEL_FROM] if kind is not None else own_functions(optimizer)["update"]
    kernel(
        -1 if kind is None else kind, np.asarray(coefficients, dtype=np.float64), *map(_row, (weights, grad, *slots)),
        *padding, rose, *map(_row, outputs), *padding, weights.size,
    )  # fmt: skip
    return outputs


def step_per_network(optimizer, coefficients, weights: np.ndarray, grad: np.ndarray, slots, error_rose=None):
    """`step` with coefficients of shape (C, networks), one column per network of ``weights`` (..., P): each
    network's weights get the rule with its own (`optimizers.per_network`).  A built-in rule only."""
    rows = weights.reshape(-1, weights.shape[-1]).shape
    outputs = [np.empty(weights.shape) for _ in range(1 + len(slots))]
    padding = [_NO_ARRAY] * (SLOTS - len(slots))
    rose = _NO_FLAGS if error_rose is None else _flat(error_rose)
    table = np.ascontiguousarray(np.asarray(coefficients, dtype=np.float64).T)
    _update_rows(kind_of(optimizer), table, *(np.ascontiguousarray(a).reshape(rows) for a in (weights, grad, *slots)),
                 *padding, rose, *(a.reshape(rows) for a in outputs), *padding)  # fmt: skip
    return outputs


@compile_rule
def _update_rows(kind, table, weight, grad, s0, s1, s2, s3, error_rose, new_weight, new0, new1, new2, new3):
    """`update` on each row n (a network) of (networks, P) arrays with its coefficients table[n]."""
    size = weight.shape[1]
    for n in range(weight.shape[0]):
        rose = error_rose[n * size : (n + 1) * size] if error_rose.size else error_rose
        row = slice(n, n + 1)
        update(kind, table[n], weight[row], grad[row], s0[row], s1[row], s2[row], s3[row], rose, new_weight[row],
               new0[row], new1[row], new2[row], new3[row], size)  # fmt: skip


def _row(array) -> np.ndarray:
    """``array`` as one row, (1, size), C-ordered float64: a view where it can be."""
    return _flat(array)[None, :]


def _flat(array) -> np.ndarray:
    """A C-ordered float64 (or bool) view of ``array`` as one dimension, copied only when it must be."""
    return np.ascontiguousarray(array).ravel()


@compile_rule
def _constants(coefficients):
    """The coefficients as a tuple of `COEFFICIENTS` numbers (zeros after the last): constants in the loops, where
    an array's entries would be read again at every weight (the compiler cannot rule out that a write changed
    them).  Copied element by element: a slice assignment compiles numba's shape check and its message, 1.6 s
    of a fresh install's first run."""
    c = np.zeros(COEFFICIENTS)
    for i in range(min(coefficients.size, COEFFICIENTS)):  # `own_rule` and the built-ins keep within COEFFICIENTS
        c[i] = coefficients[i]
    return c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15]


def _generated_update(classes, by_kind: bool = True, parallel: bool = False, compile_rule=compile_rule):
    """``update`` for the rules of ``classes`` (rule i is ``kind == i``; with ``by_kind`` off, the one rule
    whatever the kind), written for each rule's arity: its state arrays, and E > E⁻ where its state keeps
    ``prev_loss``.  An unknown kind gives NaN weights: a cache of numba older than a new rule shows at once."""
    lines = ["def update(kind, coefficients, weight, grad, s0, s1, s2, s3, error_rose, new_weight, new0, new1, new2,"
             " new3, active):",
             "    c = _constants(coefficients)",
             "    for r in range(weight.shape[0]):"]  # fmt: skip
    namespace = {"_constants": _constants, "numba": numba, "np": np}
    loop = "numba.prange" if parallel else "range"
    for kind, cls in enumerate(classes):
        namespace[f"_rule_{kind}"] = compile_rule(cls.rule)
        arguments = "".join(f", s{k}[r, j]" for k in range(cls.slots))
        arguments += ", error_rose[j]" if "prev_loss" in cls.State._fields else ""
        results = ", ".join(["new_weight[r, j]", *(f"new{k}[r, j]" for k in range(cls.slots))])
        results = f"({results},)" if cls.slots == 0 else results
        test = ("if" if kind == 0 else "elif") + f" kind == {kind}:" if by_kind else "if True:"
        lines += [f"        {test}", f"            for j in {loop}(active):",
                  f"                {results} = _rule_{kind}(c, weight[r, j], grad[r, j]{arguments})"]  # fmt: skip
    if by_kind:
        lines += ["        else:", f"            for j in {loop}(active):", "                new_weight[r, j] = np.nan"]
    exec("\n".join(lines), namespace)  # the template above, filled in for these rules
    return namespace["update"]


def _generated_coefficients(classes):
    """``coefficients_of(kind, hyperparameters, count)`` for the rules of ``classes``: each rule's coefficients
    function, or a copy of the hyperparameters where it has none (`unchanged`)."""
    namespace, lines = {}, ["def coefficients_of(kind, hyperparameters, count):"]
    for kind, cls in enumerate(classes):
        if cls.coefficients is not unchanged:
            namespace[f"_coefficients_{kind}"] = compile_rule(cls.coefficients)
            lines += [f"    if kind == {kind}:", f"        return _coefficients_{kind}(hyperparameters, count)"]
    exec("\n".join([*lines, "    return hyperparameters.copy()"]), namespace)
    return namespace["coefficients_of"]


def _generated_refresh(classes):
    """``refresh_coefficients(kind, hyperparameters, count, coefficients)``: `coefficients_of` copied in, element by
    element, for the rules whose coefficients change with the step count (``coefficients_change``); the others
    are left alone (a kernel calls it per step)."""
    changing = " or ".join(f"kind == {kind}" for kind, cls in enumerate(classes) if cls.coefficients_change)
    lines = ["def refresh(kind, hyperparameters, count, coefficients):", f"    if {changing or 'False'}:",
             "        fresh = coefficients_of(kind, hyperparameters, count)",
             "        for i in range(fresh.size):", "            coefficients[i] = fresh[i]"]  # fmt: skip
    namespace = {"coefficients_of": coefficients_of}
    exec("\n".join(lines), namespace)
    return namespace["refresh"]


# In compiled code, these names stand for the rules of `rule_table`, made when the code that calls them is first
# compiled (numba then caches that code, with the rules in it); called from Python, they say so.  The kernels call
# them directly: every compiled function between a kernel and the rules is one more time LLVM optimizes the
# whole rule table on a fresh install (a wrapper and the kernels' step function cost 3 s of its first run).
def update(kind, coefficients, weight, grad, s0, s1, s2, s3, error_rose, new_weight, new0, new1, new2, new3,
           active):  # fmt: skip
    """Rule ``kind`` (its place in `rule_table`) on every weight [r, j] with j < ``active`` of arrays shaped
    (rows, lanes): the new values go to new_*[r, j], apart from the old ones (then the compiler vectorizes the
    loop).  ``error_rose`` is per lane; the state arrays a rule does not keep are not read."""
    raise TypeError("compiled code only: call `step`")


def _parallel_update_of_rules(kind, coefficients, weight, grad, s0, s1, s2, s3, error_rose, new_weight, new0, new1,
                              new2, new3, active):  # fmt: skip
    raise TypeError("compiled code only: call `step`")


def coefficients_of(kind, hyperparameters, count):
    """The coefficients of step ``count`` (1 for the first) of the rule ``kind`` (its ``coefficients``)."""
    raise TypeError("compiled code only")


def refresh_coefficients(kind, hyperparameters, count, coefficients) -> None:
    """``coefficients`` (from `coefficients_of`) for step ``count``, rewritten only for the rules whose
    coefficients change with it (a kernel calls this per step: no array changes hands for the others)."""
    raise TypeError("compiled code only")


@overload(update, jit_options={"error_model": "numpy"})
def _update_implementation(kind, coefficients, weight, grad, s0, s1, s2, s3, error_rose, new_weight, new0, new1,
                           new2, new3, active):  # fmt: skip
    return _generated_update(rule_table())


@overload(_parallel_update_of_rules, jit_options={"error_model": "numpy", "parallel": True})
def _parallel_update_implementation(kind, coefficients, weight, grad, s0, s1, s2, s3, error_rose, new_weight, new0,
                                    new1, new2, new3, active):  # fmt: skip
    return _generated_update(rule_table(), parallel=True)


@overload(coefficients_of, jit_options={"error_model": "numpy"})
def _coefficients_implementation(kind, hyperparameters, count):
    return _generated_coefficients(rule_table())


@overload(refresh_coefficients, jit_options={"error_model": "numpy"})
def _refresh_implementation(kind, hyperparameters, count, coefficients):
    return _generated_refresh(rule_table())


@compile_rule
def _serial_update(kind, coefficients, weight, grad, s0, s1, s2, s3, error_rose, new_weight, new0, new1, new2, new3,
                   active):  # fmt: skip
    """`update` called from Python (`step`)."""
    update(kind, coefficients, weight, grad, s0, s1, s2, s3, error_rose, new_weight, new0, new1, new2, new3, active)


@compile_rule
def _parallel_update(kind, coefficients, weight, grad, s0, s1, s2, s3, error_rose, new_weight, new0, new1, new2, new3,
                     active):  # fmt: skip
    """`update` spread over the cores, for large steps (`PARALLEL_FROM`): its rules' loops are compiled parallel."""
    _parallel_update_of_rules(kind, coefficients, weight, grad, s0, s1, s2, s3, error_rose, new_weight, new0, new1,
                              new2, new3, active)  # fmt: skip


_update = _serial_update, _parallel_update
