"""A layered network's error and gradient compiled by numba, vectorized across networks, equal to numpy bit for bit.

`network.Layered.loss_and_grad` (numpy) is the reference.  Here the same
recursion runs sample by sample over blocks of up to `MAX_LANES` networks, spread over
the cores; every inner loop runs over the networks of a block, which the
compiler turns into SIMD code.  Each operation is the numpy code's, in its
order: the sums over a unit's inputs, over the signals coming back, over the
outputs and over the samples all run in index order, the activations are
`network.activations`' (σ and tanh from the shared exponential), and δ_k is
formed as Σ_o δ_o·(W_ok·f′_k) (g_k = Σ_o δ_o·W_ok, then δ_k = g_k·f′_k, in a
network with residual layers).  So the results are the same to the last bit;
the tests hold them to it.

The architecture travels as a few integer arrays (`Plan`), so one compiled
function serves every shape.  Arrays are filled in place, never returned:
numba turns a Ctrl-C that arrives while it boxes a returned array into a
lost interrupt.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from network.compiled import sigmoid_pair
from network.exponential import exp_nonpositive
from network.hyperbolic_tangent import tanh_from_exponential
from network.sigmoid import sigmoid_from_exponential
from network.validation import EXACT_ARITHMETIC, PERIOD, checked_flat_spot

MAX_LANES = 128  # networks per block at most; a block's arrays stay in the L2 cache
SIGMOID, TANH, IDENTITY, RELU = 0, 1, 2, 3
_CODES = {"sigmoid": SIGMOID, "tanh": TANH, "identity": IDENTITY, "relu": RELU}


class Plan(NamedTuple):
    """A `network.Layered` as flat integer arrays; layer i is the network's layer i + 1."""

    units: np.ndarray  # (L,) n_l
    fan_in: np.ndarray  # (L,)
    weights: np.ndarray  # (L,) where W_l starts in the parameter vector
    biases: np.ndarray  # (L,) where b_l starts, −1 without biases
    activation: np.ndarray  # (L,) SIGMOID, TANH, IDENTITY or RELU
    first_unit: np.ndarray  # (L + 1,) row of layer k's first unit in the activations of all units (k = 0: inputs)
    column_start: np.ndarray  # (L,) where layer i's columns start in ``column_unit``
    column_unit: np.ndarray  # for every column of every layer, the row of the unit it reads
    residual: np.ndarray  # (L,) 1 where the layer adds the layer it reads to its outputs, else 0
    size: int  # P


def plan_of(net) -> Plan:
    """The flat description of ``net`` that the compiled function reads."""
    first_unit = np.concatenate([[0], np.cumsum(net.sizes)])
    columns, starts = [], []
    for layer in net.layers:
        starts.append(len(columns))
        columns += [first_unit[k] + u for k in layer.sources for u in range(net.sizes[k])]
    last = len(net.layers)
    return Plan(
        units=np.array([layer.units for layer in net.layers], dtype=np.int64),
        fan_in=np.array([layer.fan_in for layer in net.layers], dtype=np.int64),
        weights=np.array([layer.weights.start for layer in net.layers], dtype=np.int64),
        biases=np.array([layer.biases.start if layer.biases else -1 for layer in net.layers], dtype=np.int64),
        activation=np.array(
            [_CODES[net.output_activation if layer.index == last else net.activation] for layer in net.layers],
            dtype=np.int64,
        ),
        first_unit=first_unit.astype(np.int64),
        column_start=np.array(starts, dtype=np.int64),
        column_unit=np.array(columns, dtype=np.int64),
        residual=np.array([layer.index in net.residual for layer in net.layers], dtype=np.int64),
        size=net.size,
    )


class Evaluation(NamedTuple):
    """What one pass over a population gives, per network."""

    error: np.ndarray  # (N,) E over the samples
    grad: np.ndarray  # (N, P) ∂E/∂params (with the flat spot's f′ + c)
    largest_residual: np.ndarray  # (N,) max |t − r| over the samples and outputs
    largest_weight: np.ndarray  # (N,) max |w|, NaN where a parameter is NaN
    finite_grad: np.ndarray  # (N,) every component of the gradient finite


def evaluate(plan: Plan, params, inputs, targets, flat_spot, order) -> Evaluation:
    """One pass of networks ``params`` (float64, (N, P)) over the samples ``order`` (indices, in that order), with
    ``flat_spot`` a number (every unit) or a pair (hidden, output), as `network.loss_and_grad` takes it.

    >>> import network
    >>> task = network.get_task("xor")
    >>> params = np.random.default_rng(0).normal(size=(3, task.network.size))
    >>> compiled = evaluate(plan_of(task.network), params, task.inputs, task.targets, 0.0, np.arange(task.samples))
    >>> reference = task.network.loss_and_grad(params, task.inputs, task.targets)
    >>> np.array_equal(compiled.error, reference[0]) and np.array_equal(compiled.grad, reference[1])
    True
    """
    params = np.ascontiguousarray(params, dtype=np.float64)
    count = len(params)
    error, grad, residual, weight = np.empty(count), np.empty(params.shape), np.empty(count), np.empty(count)
    finite = np.empty(count, dtype=np.bool_)
    order = np.asarray(order, dtype=np.int64)
    lanes = lanes_per_block(count)
    hidden, output, arithmetic = checked_flat_spot(flat_spot)
    fill = _fill[count > lanes]  # one block: no threads to start
    fill(*plan[:-1], params, inputs, targets, hidden, output, arithmetic, order, lanes, error, grad, residual, weight,
         finite)  # fmt: skip
    return Evaluation(error, grad, residual, weight, finite)


def lanes_per_block(count: int) -> int:
    """Networks per block: enough blocks for every core, as few as that allows (each costs scalar loop overhead).

    >>> lanes_per_block(100), lanes_per_block(10**6)
    (50, 128)
    """
    threads = numba.get_num_threads()
    return int(min(MAX_LANES, max(1, -(-count // threads))))


def _compiled(**options):
    return numba.njit(cache=True, error_model="numpy", **options)


@_compiled()
def _single(value):
    """``value`` rounded to float32 and back (`network.activations.single`)."""
    return np.float64(np.float32(value))


@_compiled()
def _activate(code, x, flat_spot, arithmetic, act, slope, row, lanes):
    """act[row] and slope[row] = f and f′ + flat_spot of x in ``arithmetic``, for every network of the block
    (`network.activations`)."""
    if code == SIGMOID and arithmetic == EXACT_ARITHMETIC:
        for j in range(lanes):
            r, c = sigmoid_pair(x[j])
            act[row, j], slope[row, j] = r, r * c + flat_spot
    elif code == SIGMOID:  # one loop per arithmetic: the exact one vectorizes as before
        for j in range(lanes):
            r = sigmoid_pair(x[j])[0]
            act[row, j] = r
            rounded = r if arithmetic == PERIOD else _single(r)
            product = rounded * (1.0 - rounded)
            slope[row, j] = (product if arithmetic == PERIOD else _single(product)) + flat_spot
    elif code == TANH:
        for j in range(lanes):  # tanh(x) and σ(2x)·σ(−2x) from one exponential, e^(−2|x|)
            u = exp_nonpositive(-2.0 * abs(x[j]))
            smaller = sigmoid_from_exponential(u)
            act[row, j], slope[row, j] = tanh_from_exponential(x[j], u), 4.0 * (smaller * (1.0 - smaller)) + flat_spot
        if arithmetic != EXACT_ARITHMETIC:
            for j in range(lanes):
                rounded = act[row, j] if arithmetic == PERIOD else _single(act[row, j])
                difference = 1.0 - rounded * rounded
                slope[row, j] = (difference if arithmetic == PERIOD else _single(difference)) + flat_spot
    elif code == RELU:  # no flat-spot offset: its flat side is a dead unit (`network.activations.ReLU`)
        for j in range(lanes):
            v = x[j]
            act[row, j], slope[row, j] = (v if v > 0 or v != v else 0.0), (1.0 if v > 0 else 0.0)
    else:
        for j in range(lanes):
            act[row, j], slope[row, j] = x[j], 1.0


@_compiled()
def _residual(code, x, act, row, t, residual, lanes):
    """t − r of one output unit, from the distance to the asymptote where r is near it (`network.activations`)."""
    if code == SIGMOID:
        for j in range(lanes):
            complement = sigmoid_pair(x[j])[1]
            residual[j] = ((t - 1.0) + complement) if x[j] > 0 else t - act[row, j]
    elif code == TANH:
        for j in range(lanes):
            upper, lower = sigmoid_pair(2.0 * x[j])
            near_one, near_minus_one = (t - 1.0) + 2.0 * lower, (t + 1.0) - 2.0 * upper
            r = act[row, j]
            residual[j] = near_one if r > 0.5 else (near_minus_one if r < -0.5 else t - r)
    elif code == RELU:
        for j in range(lanes):
            residual[j] = t - act[row, j]
    else:
        for j in range(lanes):
            residual[j] = t - x[j]


@_compiled()
def _gradient_residual(code, residual, r, t, arithmetic):
    """The t − r the gradient uses (`network.activations.gradient_residual`): exact, or from the rounded r."""
    if arithmetic == EXACT_ARITHMETIC or code == IDENTITY or code == RELU:
        return residual
    if arithmetic == PERIOD:
        return t - r
    return _single(t - _single(r))


@_compiled()
def workspace(first_unit, lanes):
    """Scratch arrays for `block_pass` on a block of ``lanes`` networks: f and f′ + c of every unit (inputs
    first), δ of every unit, a unit's pre-activation, one output's t − r, one sample's error, per layer
    whether its δ has had a first contribution, and g of every unit (what a residual layer passes around)."""
    total_units = first_unit[-1]
    return (
        np.empty((total_units, lanes)), np.empty((total_units, lanes)), np.empty((total_units, lanes)),
        np.empty(lanes), np.empty(lanes), np.empty(lanes), np.zeros(first_unit.shape[0], dtype=np.bool_),
        np.empty((total_units, lanes)),
    )  # fmt: skip


@_compiled()
def load_block(params, start, lanes, w, largest_weight):
    """w[p, j] = params[start + j, p] for the block's networks; largest_weight[j] = max_p |w_p| (NaN stays NaN)."""
    for j in range(lanes):
        for p in range(params.shape[1]):
            w[p, j] = params[start + j, p]
        largest_weight[j] = largest_magnitude(w, j)


@_compiled()
def largest_magnitude(w, j):
    """max_p |w[p, j]|, NaN where one of them is NaN."""
    largest = 0.0
    for p in range(w.shape[0]):
        size_of = abs(w[p, j])
        largest = size_of if size_of > largest or size_of != size_of else largest  # NaN stays NaN
    return largest


@_compiled()
def block_pass(units, fan_in, weights, biases, activation, first_unit, column_start, column_unit, residual_layer, w,
               lanes, inputs, targets, hidden_flat_spot, output_flat_spot, arithmetic, order, begin, end, space,
               error, grad, worst):  # fmt: skip
    """E, ∂E/∂params and max |t − r| of the block's networks [0, lanes) (parameters ``w``, one row per
    parameter) over the samples order[begin:end], in that order, into error[j], grad[p, j] and worst[j]."""
    act, slope, signal, x, residual, term, started, skipped = space
    layers = units.shape[0]
    grouped = True  # δ_k formed as Σ_o δ_o·(W_ok·f′_k); with residual layers g_k = Σ_o δ_o·W_ok first
    for i in range(layers):
        grouped = grouped and residual_layer[i] == 0
    for position in range(begin, end):
        s, first_sample = order[position], position == begin
        for u in range(first_unit[1]):
            for j in range(lanes):
                act[u, j] = inputs[s, u]
        for i in range(layers):  # forward: x = Σ_c W_oc·a_c in column order, then + b
            row, first_column = first_unit[i + 1], column_start[i]
            for o in range(units[i]):
                base = weights[i] + o * fan_in[i]
                unit = column_unit[first_column]
                for j in range(lanes):
                    x[j] = w[base, j] * act[unit, j]
                for c in range(1, fan_in[i]):
                    unit = column_unit[first_column + c]
                    for j in range(lanes):
                        x[j] = x[j] + w[base + c, j] * act[unit, j]
                if biases[i] >= 0:
                    for j in range(lanes):
                        x[j] = x[j] + w[biases[i] + o, j]
                offset = output_flat_spot if i == layers - 1 else hidden_flat_spot
                _activate(activation[i], x, offset, arithmetic, act, slope, row + o, lanes)
                if residual_layer[i]:  # r_l = r_{l−1} + f(x_l)
                    for j in range(lanes):
                        act[row + o, j] = act[first_unit[i] + o, j] + act[row + o, j]
                if i == layers - 1:
                    _residual(activation[i], x, act, row + o, targets[s, o], residual, lanes)
                    for j in range(lanes):
                        squared = 0.5 * (residual[j] * residual[j])
                        term[j] = squared if o == 0 else term[j] + squared
                        through = _gradient_residual(activation[i], residual[j], act[row + o, j], targets[s, o],
                                                     arithmetic)  # fmt: skip
                        signal[row + o, j] = -through * slope[row + o, j]  # δ_L = −(t − r)·f′
                        size_of = abs(residual[j])
                        first = first_sample and o == 0
                        larger = size_of > worst[j] or size_of != size_of  # NaN stays NaN
                        worst[j] = size_of if first or larger else worst[j]
        if first_sample:
            for j in range(lanes):
                error[j] = term[j]
        else:
            for j in range(lanes):
                error[j] = error[j] + term[j]
        started[:] = False
        for i in range(layers - 1, -1, -1):  # backward: layer i's δ is complete once every later layer is done
            row, first_column = first_unit[i + 1], column_start[i]
            if not grouped and i < layers - 1:  # δ = g·f′, g kept for a residual layer to pass around
                for o in range(units[i]):
                    for j in range(lanes):
                        skipped[row + o, j] = signal[row + o, j]
                        signal[row + o, j] = signal[row + o, j] * slope[row + o, j]
            for o in range(units[i]):  # ∂E/∂W_oc += δ_o·a_c, ∂E/∂b_o += δ_o
                base = weights[i] + o * fan_in[i]
                for c in range(fan_in[i]):
                    unit = column_unit[first_column + c]
                    if first_sample:
                        for j in range(lanes):
                            grad[base + c, j] = signal[row + o, j] * act[unit, j]
                    else:
                        for j in range(lanes):
                            grad[base + c, j] = grad[base + c, j] + signal[row + o, j] * act[unit, j]
                if biases[i] >= 0:
                    b = biases[i] + o
                    if first_sample:
                        for j in range(lanes):
                            grad[b, j] = signal[row + o, j]
                    else:
                        for j in range(lanes):
                            grad[b, j] = grad[b, j] + signal[row + o, j]
            source = 0
            for c in range(fan_in[i]):  # send δ back: Σ_o δ_o·(W_oc·f′_c) to every hidden unit read
                unit = column_unit[first_column + c]
                while first_unit[source + 1] <= unit:
                    source += 1
                if source == 0:
                    continue  # an input: no δ needed
                column = weights[i] + c
                if grouped:
                    for j in range(lanes):
                        x[j] = signal[row, j] * (w[column, j] * slope[unit, j])
                    for o in range(1, units[i]):
                        weight = column + o * fan_in[i]
                        for j in range(lanes):
                            x[j] = x[j] + signal[row + o, j] * (w[weight, j] * slope[unit, j])
                else:
                    for j in range(lanes):
                        x[j] = signal[row, j] * w[column, j]
                    for o in range(1, units[i]):
                        weight = column + o * fan_in[i]
                        for j in range(lanes):
                            x[j] = x[j] + signal[row + o, j] * w[weight, j]
                if started[source]:
                    for j in range(lanes):
                        signal[unit, j] = signal[unit, j] + x[j]
                else:
                    for j in range(lanes):
                        signal[unit, j] = x[j]
                if c + 1 == fan_in[i] or column_unit[first_column + c + 1] >= first_unit[source + 1]:
                    started[source] = True  # this source's last column here: its next contribution adds
            if residual_layer[i] and i > 0:  # g_{l−1} = W_lᵀδ_l + g_l
                for o in range(units[i]):
                    for j in range(lanes):
                        signal[first_unit[i] + o, j] = signal[first_unit[i] + o, j] + skipped[row + o, j]


@_compiled()
def all_finite(grad, j):
    """Whether every component of column j of ``grad`` is finite."""
    finite = True
    for p in range(grad.shape[0]):
        value = grad[p, j]
        finite = finite and value - value == 0.0  # inf − inf and NaN − NaN are NaN
    return finite


def _fill_blocks(units, fan_in, weights, biases, activation, first_unit, column_start, column_unit, residual_layer,
                 params, inputs, targets, hidden_flat_spot, output_flat_spot, arithmetic, order, width, error, grad,
                 worst, largest_weight, finite_grad):  # fmt: skip
    count, size = params.shape
    for block in numba.prange((count + width - 1) // width):
        start = block * width
        lanes = min(width, count - start)
        w = np.empty((size, lanes))  # the block's parameters, one row per parameter
        load_block(params, start, lanes, w, largest_weight[start:])
        block_error, block_grad, block_worst = np.empty(lanes), np.empty((size, lanes)), np.empty(lanes)
        block_pass(units, fan_in, weights, biases, activation, first_unit, column_start, column_unit, residual_layer,
                   w, lanes, inputs, targets, hidden_flat_spot, output_flat_spot, arithmetic, order, 0, order.shape[0],
                   workspace(first_unit, lanes), block_error, block_grad, block_worst)  # fmt: skip
        for j in range(lanes):
            error[start + j], worst[start + j] = block_error[j], block_worst[j]
            for p in range(size):
                grad[start + j, p] = block_grad[p, j]
            finite_grad[start + j] = all_finite(block_grad, j)


_fill = _compiled()(_fill_blocks), _compiled(parallel=True)(_fill_blocks)  # (serial, parallel)
