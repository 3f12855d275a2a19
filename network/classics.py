"""The classic benchmark problems on which Rprop, Quickprop and SuperSAB were first compared.

Each function returns the keyword arguments of a `network.Task`: a
description, the data and the network it is classically learned by.

- XOR: inputs {0, 1}², target a XOR b; 2-2-1 with biases.
- N-M-N encoder (Ackley, Hinton & Sejnowski 1985; Fahlman 1988): N one-hot
  patterns, each its own target, through M hidden units that must find a code
  (12-2-12 is "tight": two units for twelve patterns); biases everywhere.
- N-bit parity (Rumelhart, Hinton & Williams 1986): all 2^N binary inputs,
  target 1 when the number of ones is odd; N-N-1 with biases.
- Two spirals (Lang & Witbrock 1988; the CMU benchmark collection's
  ``mkspiral.c`` by A. Wieland): for i = 0 … 96, the angle φ = i·π/16 and the
  radius ρ = 6.5·(104 − i)/104; the point (ρ·sin φ, ρ·cos φ) has target 1 and
  its mirror (−ρ·sin φ, −ρ·cos φ) target 0, interleaved: 194 points.  The
  network is 2-5-5-5-1 with shortcut connections, as in Lang & Witbrock and
  Riedmiller & Braun (1993), with tanh ("symmetric") hidden units and a
  sigmoid output for the 0/1 targets.

Sources: Fahlman, "An empirical study of learning speed in back-propagation
networks", CMU-CS-88-162 (1988); Lang & Witbrock, "Learning to tell two
spirals apart", Proc. Connectionist Models Summer School (1988); Riedmiller &
Braun, IEEE ICNN 1993.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from network.layered import Layered


def xor() -> dict:
    """Exclusive or: 4 patterns, 2-2-1.

    >>> xor()["targets"].ravel().tolist()
    [0.0, 1.0, 1.0, 0.0]
    """
    inputs = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    targets = (inputs[:, :1] != inputs[:, 1:]).astype(float)
    return {"description": "exclusive or: 4 patterns, 2-2-1", "inputs": inputs, "targets": targets,
            "network": Layered([2, 2, 1])}  # fmt: skip


def encoder(patterns: int, hidden: int) -> dict:
    """The N-M-N encoder: N one-hot patterns reproduced through M hidden units.

    >>> encoder(4, 2)["inputs"].tolist()[1]
    [0.0, 1.0, 0.0, 0.0]
    """
    one_hot = np.eye(patterns)
    return {
        "description": f"{patterns} one-hot patterns reproduced through {hidden} hidden units",
        "inputs": one_hot,
        "targets": one_hot.copy(),
        "network": Layered([patterns, hidden, patterns]),
    }


def parity(bits: int) -> dict:
    """N-bit parity: all 2^N bit patterns, target 1 for an odd number of ones.

    >>> parity(2)["targets"].ravel().tolist()
    [0.0, 1.0, 1.0, 0.0]
    """
    inputs = np.array(list(itertools.product([0.0, 1.0], repeat=bits)))
    targets = (inputs.sum(axis=1, keepdims=True) % 2).astype(float)
    return {
        "description": f"{bits}-bit parity: all {2**bits} patterns, target 1 for an odd count of ones",
        "inputs": inputs,
        "targets": targets,
        "network": Layered([bits, bits, 1]),
    }


def two_spirals() -> dict:
    """Lang & Witbrock's two spirals: 194 points in [−6.5, 6.5]², each spiral circling three times.

    >>> data = two_spirals()
    >>> data["inputs"].shape, data["inputs"][0].tolist(), data["targets"][:2].ravel().tolist()
    ((194, 2), [0.0, 6.5], [1.0, 0.0])
    """
    rows, targets = [], []
    for i in range(97):
        angle, radius = i * math.pi / 16.0, 6.5 * (104 - i) / 104.0
        x, y = radius * math.sin(angle), radius * math.cos(angle)
        rows += [[x, y], [-x, -y]]
        targets += [[1.0], [0.0]]
    return {
        "description": "Lang & Witbrock's two spirals: 194 points, 2-5-5-5-1 with shortcuts",
        "inputs": np.array(rows),
        "targets": np.array(targets),
        "network": Layered([2, 5, 5, 5, 1], activation="tanh", output_activation="sigmoid", shortcuts=True),
    }
