"""Checks applied once, at the public boundary.

Each checker takes the value and the name the caller knows it by, and either
returns a clean NumPy value or raises ``ValueError`` / ``TypeError`` with a
message that names the argument, the valid range and what was received.
Internal functions trust what these return.
"""

from __future__ import annotations

import numbers

import numpy as np

# Weights must sum to one up to this absolute slack (rounding in user input).
WEIGHTS_SUM_ATOL = 1e-8


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_data_layout(x: object, dtype: np.dtype, shape: tuple, name: str = "x") -> None:
    """Check that data of this dtype and shape are a non-empty 1-D array of real numbers
    (for NumPy and dask arrays alike: the values are not read)."""
    if np.dtype(dtype) == np.dtype(object) or not (
        np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.floating)
    ):
        raise TypeError(
            f"{name} must be an array of real numbers; got dtype {dtype} from {_describe(x)}"
        )
    if len(shape) != 1:
        raise ValueError(f"{name} must be 1-D (one observation per entry); got shape {shape}")
    if shape[0] == 0:
        raise ValueError(f"{name} must hold at least one observation; got an empty array")


def check_data(x: object, name: str = "x") -> np.ndarray:
    """Return ``x`` as a finite, non-empty, 1-D float64 array."""
    arr = np.asarray(x)
    check_data_layout(x, arr.dtype, arr.shape, name)
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr))
        raise ValueError(
            f"{name} must be finite; found {bad.size} NaN or inf value(s), "
            f"first at index {bad[0]}"
        )
    return arr


def check_positive_int(value: object, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` that is at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {_describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return int(value)


def check_n_components(n_components: object, n_samples: int) -> int:
    """Return K, an integer with 1 <= K <= number of observations."""
    k = check_positive_int(n_components, "n_components")
    if k > n_samples:
        raise ValueError(
            f"n_components must be between 1 and the number of observations "
            f"({n_samples}); got {k}"
        )
    return k


def check_real(value: object, name: str) -> float:
    """Return ``value`` as a finite ``float``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {_describe(value)}")
    out = float(value)
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite; got {out}")
    return out


def check_tol(tol: object) -> float:
    """Return the convergence tolerance, a finite float >= 0."""
    out = check_real(tol, "tol")
    if out < 0:
        raise ValueError(f"tol must be >= 0; got {out}")
    return out


def _as_vector(value: object, name: str, k: int, what: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name} must be {what} of real numbers; got {_describe(value)}")
    arr = arr.astype(np.float64)
    if arr.shape != (k,):
        raise ValueError(f"{name} must have shape ({k},), one entry per component; "
                         f"got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {arr}")
    return arr


def check_means(means: object, k: int, name: str = "means") -> np.ndarray:
    """Return the K component means as a finite float64 vector."""
    return _as_vector(means, name, k, "a 1-D array")


def check_weights(weights: object, k: int, name: str = "weights") -> np.ndarray:
    """Return the K mixing weights: non-negative and summing to one."""
    arr = _as_vector(weights, name, k, "a 1-D array")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative (each pi_k in [0, 1]); got {arr}")
    total = arr.sum()
    if abs(total - 1.0) > WEIGHTS_SUM_ATOL:
        raise ValueError(f"{name} must sum to 1; got sum {total!r} from {arr}")
    # Renormalise so that the rounding the tolerance admitted does not propagate.
    return arr / total


def check_variances(variance: object, k: int, name: str = "variance") -> np.ndarray:
    """Return K variances from a scalar (shared) or a length-K vector; each > 0."""
    arr = np.asarray(variance)
    if arr.ndim == 0:
        arr = np.full(k, check_real(arr.item(), name))
    else:
        arr = _as_vector(arr, name, k, "a scalar or a 1-D array")
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0 (sigma^2 is a variance); got {arr}")
    return arr


def check_positive_real(value: object, name: str) -> float:
    """Return a finite float > 0."""
    out = check_real(value, name)
    if out <= 0:
        raise ValueError(f"{name} must be > 0; got {out}")
    return out


def check_choice(value: object, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}; got {_describe(value)}")
    return str(value)


def check_rng(seed: object, name: str = "seed") -> np.random.Generator:
    """Return a Generator from ``None``, an integer seed or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(
            f"{name} must be None, a non-negative integer or a numpy.random.Generator; "
            f"got {_describe(seed)}"
        )
    return np.random.default_rng(int(seed))
