"""The layout of a parameter vector: which slices of (..., P) are weight matrices, of which shape, and which are
vectors.  Optimizers that treat a layer's weights as a matrix (Muon, Adafactor) need it; the others ignore it.

A layered network's parameter vector holds, layer by layer, W_l (n_out × n_in, row-major) and then b_l
(`network.Layered`).  `Layout.of` reads that from the network; the arena hands it to every optimizer that
asks for one (`with_layout`), and a layer-aware optimizer given none says so in one line.  On a population
every network has its own matrices: the layout applies to the last axis.

>>> import network
>>> layout = Layout.of(network.Layered([2, 3, 1]))
>>> [(m.start, m.rows, m.cols) for m in layout.matrices], [(v.start, v.length) for v in layout.vectors]
([(0, 3, 2), (9, 1, 3)], [(6, 3), (12, 1)])
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np


@dataclass(frozen=True)
class Matrix:
    """rows × cols parameters from ``start``, row by row (a layer's W_l: n_out × n_in)."""

    start: int
    rows: int
    cols: int

    @property
    def part(self) -> slice:
        return slice(self.start, self.start + self.rows * self.cols)


@dataclass(frozen=True)
class Vector:
    """``length`` parameters from ``start`` (a layer's b_l)."""

    start: int
    length: int

    @property
    def part(self) -> slice:
        return slice(self.start, self.start + self.length)


@dataclass(frozen=True)
class Layout:
    """The matrices and vectors of a parameter vector of ``size`` entries; together they cover it, once."""

    size: int
    matrices: tuple[Matrix, ...]
    vectors: tuple[Vector, ...] = ()

    def __post_init__(self):
        covered = np.zeros(self.size, dtype=int)
        for piece in (*self.matrices, *self.vectors):
            covered[piece.part] += 1
        if (covered != 1).any():
            raise ValueError(f"a layout's matrices and vectors must cover its {self.size} parameters once each")

    @classmethod
    def of(cls, net) -> Layout:
        """The layout of network ``net`` (`network.Layered`: its layers' ``weights`` and ``biases`` slices)."""
        matrices = tuple(Matrix(layer.weights.start, layer.units, layer.fan_in) for layer in net.layers)
        vectors = tuple(Vector(layer.biases.start, layer.units) for layer in net.layers if layer.biases)
        return cls(net.size, matrices, vectors)

    @functools.cached_property
    def vector_indices(self) -> np.ndarray:
        """The positions of every vector's parameters, in order (computed once: Muon reads it every step)."""
        return np.concatenate([np.arange(v.start, v.start + v.length) for v in self.vectors] or [np.zeros(0, int)])


class LayerAware:
    """Mixed into an optimizer that needs the `Layout` of the parameter vector: `laid_out` gives a copy that
    has it, `require_layout` is the one-line refusal when it has none or it does not fit the weights."""

    needs_layout: ClassVar[bool] = True
    layout: Layout | None = None  # set on a copy by `laid_out`, never a hyperparameter

    def laid_out(self, layout: Layout):
        bound = copy.copy(self)
        object.__setattr__(bound, "layout", layout)
        return bound

    def require_layout(self, weights: np.ndarray) -> Layout:
        if self.layout is None:
            raise ValueError(
                f"{self.name} needs the layout of the parameter vector (which slices are weight matrices): train "
                "it on a task's network, which gives it, or call .laid_out(optimizers.layout.Layout.of(network))"
            )
        if weights.shape[-1] != self.layout.size:
            raise ValueError(f"{self.name}: its layout has {self.layout.size} parameters, the weights "
                             f"{weights.shape[-1]}")  # fmt: skip
        return self.layout


def with_layout(optimizer, net):
    """``optimizer``, laid out for network ``net`` if it needs a layout and has none."""
    if getattr(optimizer, "needs_layout", False) and optimizer.layout is None:
        return optimizer.laid_out(Layout.of(net))
    return optimizer
