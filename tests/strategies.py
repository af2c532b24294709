"""Hypothesis strategies: random mixtures and data drawn from them."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import emlib


@st.composite
def mixtures(draw, max_k: int = 4, per_component: bool = False) -> emlib.MixtureParams:
    """A random mixture with well-conditioned parameters."""
    k = draw(st.integers(1, max_k))
    means = draw(st.lists(st.floats(-20, 20), min_size=k, max_size=k))
    raw = np.array(draw(st.lists(st.floats(0.05, 1.0), min_size=k, max_size=k)))
    if per_component:
        variance = draw(st.lists(st.floats(0.05, 9.0), min_size=k, max_size=k))
    else:
        variance = draw(st.floats(0.05, 9.0))
    return emlib.MixtureParams(means, raw / raw.sum(), variance)


@st.composite
def datasets(draw, min_n: int = 5, max_n: int = 120) -> np.ndarray:
    """Data drawn from a random mixture with a random seed."""
    params = draw(mixtures(per_component=True))
    n = draw(st.integers(min_n, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    x, _ = emlib.sample(params, n, np.random.default_rng(seed))
    return x
