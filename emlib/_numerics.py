"""Small numerical kernels shared by the modules."""

from __future__ import annotations

import numpy as np


def logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    """``log(sum(exp(a), axis))`` without overflow or underflow.

    Shifting by the maximum makes the largest term exp(0) = 1, so the sum is
    in [1, K] and its log is finite whatever the scale of ``a``. Rows that are
    all ``-inf`` give ``-inf``.
    """
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return np.squeeze(out, axis=axis)
