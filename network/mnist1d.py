"""MNIST-1D (Greydanus & Kobak, ICML 2024), built offline, sample for sample as the authors' package builds it.

Ten one-dimensional templates of 12 points, one per digit, each turned into a
sample of 40 points by a chain of random transformations, in this order, each
drawn from one numpy ``RandomState`` seeded once (the package seeds numpy's
global state, ``np.random.seed(42)``; here a state of our own draws the same
numbers without touching anyone else's):

    pad        x + 1e-8, then p zeros appended, p uniform in {36, …, 60}        (one rand)
    dilate     linear interpolation of the padded signal (and of t) to 72 points
    scale      x·(1 + 0.4·(u − 1/2))                                             (one rand)
    translate  rolled right by k, k uniform in {0, …, 47}                       (one choice)
    noise      where x = 0: 0.25·N(0, 1) smoothed by a Gaussian of σ = 2;        (72 randn)
               everywhere: + 0.02·N(0, 1)                                         (72 randn)
    shear      x − 0.75·(u − 1/2)·linspace(−1/2, 1/2, 72)                        (one rand)
    subsample  linear interpolation to 40 points

500 samples per digit, in digit order; then the samples are shuffled (one
permutation) and the whole array is centred and scaled to standard deviation 1
(one mean and one std over every value).  The first 80 % (4000) are the
published training part, the last 1000 the published test part.

Source: Greydanus & Kobak, "Scaling down deep learning with MNIST-1D", ICML
2024; the package ``mnist1d`` 0.0.2.post1, ``mnist1d/data.py`` (``get_templates``,
``make_dataset``) and ``mnist1d/transform.py`` (MIT licence), whose steps and
defaults (``get_dataset_args``) this module follows line for line, with
scipy's ``interp1d`` and ``gaussian_filter`` as it calls them.  Its download
path (a request with no timeout, then a pickle written into the working
folder) is never taken: the data are built here, in about a second.  The
tests compare every value with the package's ``make_dataset`` (bit for bit).

>>> data = build()
>>> data.inputs.shape, data.labels.max() + 1, data.test_rows[:3].tolist()
((5000, 40), np.int64(10), [4000, 4001, 4002])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

TEMPLATES = np.array([  # the published digits' 12-point templates, 0 to 9
    [5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5],
    [5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5],
    [5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5],
    [5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5],
    [5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5],
    [5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5],
    [5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5],
    [5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5],
    [5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5],
    [5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5],
])  # fmt: skip
DESCRIPTION = "MNIST-1D: ten 1-D digit templates, padded, scaled, shifted, noised and sheared (5000 × 40, 10 classes)"


@dataclass(frozen=True)
class Arguments:
    """``mnist1d.data.get_dataset_args()``'s defaults, the published dataset's."""

    num_samples: int = 5000
    train_split: float = 0.8
    template_len: int = 12
    padding: tuple[int, int] = (36, 60)
    scale_coeff: float = 0.4
    max_translation: int = 48
    corr_noise_scale: float = 0.25
    iid_noise_scale: float = 2e-2
    shear_scale: float = 0.75
    final_seq_length: int = 40
    seed: int = 42


def templates() -> np.ndarray:
    """The ten templates whitened, starting and ending at 0, scaled by 1/6 (``get_templates``'s ``x``)."""
    x = TEMPLATES.copy()
    x -= x.mean(1, keepdims=True)
    x /= x.std(1, keepdims=True)
    x -= x[:, :1]
    return x / 6.0


def interpolate(x: np.ndarray, points: int) -> np.ndarray:
    """``x`` resampled linearly at ``points`` evenly spaced positions over the same span."""
    from scipy.interpolate import interp1d

    return interp1d(np.linspace(0, 1, len(x)), x, axis=0, kind="linear")(np.linspace(0, 1, points))


def transformed(template: np.ndarray, args: Arguments, random: np.random.RandomState) -> np.ndarray:
    """One sample made from ``template`` by the package's ``transform``, drawing from ``random``."""
    from scipy.ndimage import gaussian_filter

    low, high = args.padding
    padding = low + int(random.rand() * (high - low + 1))
    x = interpolate(np.concatenate([template + 1e-8, np.zeros(padding)]), args.template_len + high)
    x *= 1 + args.scale_coeff * (random.rand() - 0.5)
    shift = random.choice(args.max_translation)
    x = np.concatenate([x[-shift:], x[:-shift]])
    mask = x != 0
    x = mask * x + (1 - mask) * gaussian_filter(args.corr_noise_scale * random.randn(*x.shape), 2)
    x = x + args.iid_noise_scale * random.randn(*x.shape)
    x = x - args.shear_scale * (random.rand() - 0.5) * np.linspace(-0.5, 0.5, len(x))
    return interpolate(x, args.final_seq_length)


class Built(NamedTuple):
    """The samples (`network.datasets.load` makes them the dataset "mnist1d")."""

    inputs: np.ndarray  # (samples, final_seq_length)
    labels: np.ndarray  # (samples,) the digit, 0 … 9
    test_rows: np.ndarray  # the published test part: the last (1 − train_split) of the samples


def build(args: Arguments = Arguments()) -> Built:
    """The samples in the published order, and the rows of the published test part.

    Inputs are as published: the whole array centred and scaled once, not per feature.
    """
    random = np.random.RandomState(args.seed)
    shapes = templates()
    per_class = args.num_samples // len(shapes)
    samples = [transformed(shapes[label], args, random) for label in range(len(shapes)) for _ in range(per_class)]
    labels = np.repeat(np.arange(len(shapes)), per_class)
    shuffle = random.permutation(len(labels))
    inputs, labels = np.stack(samples)[shuffle], labels[shuffle]
    inputs = (inputs - inputs.mean()) / inputs.std()
    test_rows = np.arange(int(len(labels) * args.train_split), len(labels))
    return Built(inputs, labels, test_rows)
