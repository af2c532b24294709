"""EM on a dask array: data larger than one machine's memory, on any dask scheduler.

Each EM iteration is a map-reduce. The map runs :func:`emlib.sweep.block_sums` on every
chunk, where the chunk lives, and returns the chunk's 3K + 1 sums (N_k, S1_k, S2_k and its
log-likelihood); dask adds them up the tree; the client receives one vector of 3K + 1
numbers and runs the M-step on it. The data never come to the client. Whatever scheduler
is active runs the tasks: dask's threads by default, processes, or a
``dask.distributed.Client`` (a LocalCluster or a real cluster).

:func:`emlib.fit` accepts a dask array directly and comes here; so the fit reads

>>> import emlib
>>> from emlib.scale import sample
>>> x = sample(emlib.MixtureParams([-2.0, 0.0, 3.0], variance=0.25), 30_000,
...            chunks=10_000, seed=0)
>>> result = emlib.fit(x, 3, variance=0.25, seed=0)
>>> result.means.round(1).tolist(), type(result.responsibilities).__name__
([-2.0, -0.0, 3.0], 'Array')

This module imports dask, which ``import emlib`` does not: install the ``scale`` extra
(``pip install "emlib[scale]"``).
"""

from __future__ import annotations

import dask.array as da
import numpy as np

from ._validation import check_data_layout, check_positive_int
from .model import MixtureParams
from .mstep import SufficientStatistics
from .sweep import add_sums, block_sums


def _chunk_total(chunk: np.ndarray, params: MixtureParams, hard: bool) -> np.ndarray:
    """The map: one chunk's sums, shape (1, 3K + 1)."""
    x = np.asarray(chunk, dtype=np.float64)
    return block_sums(x, params, hard=hard).sum(axis=0, keepdims=True)


def _chunk_responsibilities(chunk: np.ndarray, params: MixtureParams, hard: bool) -> np.ndarray:
    x = np.asarray(chunk, dtype=np.float64)
    resp = np.empty((params.n_components, x.size))
    block_sums(x, params, hard=hard, resp_out=resp)
    return np.ascontiguousarray(resp.T)


CHECKS = 5  # numbers per chunk from the first pass


def _chunk_checks(chunk: np.ndarray) -> np.ndarray:
    """Per chunk: how many values are not finite and the first such position; its size,
    mean and sum of squared deviations from that mean."""
    x = np.asarray(chunk, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size or x.size == 0:
        return np.array([bad.size, bad[0] if bad.size else -1, x.size, 0.0, 0.0])
    mean = x.mean()
    return np.array([0, -1, x.size, mean, np.sum((x - mean) ** 2)])


def _pooled_variance(sizes: np.ndarray, means: np.ndarray, squares: np.ndarray) -> float:
    """The variance of the whole from each part's size, mean and squared deviations: the
    parts' squares plus each part's size times its mean's squared distance from the grand
    mean (the parallel form of Welford's update; stable, and empty parts count for
    nothing)."""
    grand = np.sum(sizes * means) / sizes.sum()
    return float((squares.sum() + np.sum(sizes * (means - grand) ** 2)) / sizes.sum())


class OnDask:
    """A 1-D dask array as the EM loop's data (see :class:`emlib.passes.InMemory`).

    Validation reads the data once, in the same pass that computes their variance (dask's
    own ``var`` is NaN when a chunk is empty).
    """

    def __init__(self, x: da.Array, n_jobs: object = None) -> None:
        if n_jobs is not None:
            raise ValueError(
                "n_jobs is for data in memory; a dask array runs on dask's scheduler "
                "(threads by default, or a dask.distributed Client): leave n_jobs=None"
            )
        shape = x.shape
        if len(shape) == 1 and np.isnan(shape[0]):
            raise ValueError(
                "x has unknown chunk sizes (for example after boolean indexing); call "
                "x.compute_chunk_sizes() first"
            )
        check_data_layout(x, x.dtype, shape, "x")
        self.x = x
        self.size = int(shape[0])
        self.offsets = np.concatenate([[0], np.cumsum(x.chunks[0])])
        checks = x.map_blocks(_chunk_checks, chunks=((CHECKS,) * x.numblocks[0],),
                              dtype=np.float64, meta=np.empty(0))
        checks = checks.compute().reshape(-1, CHECKS)
        bad = np.flatnonzero(checks[:, 0])
        if bad.size:
            first = int(bad[0])
            where = self.offsets[first] + int(checks[first, 1])
            raise ValueError(
                f"x must be finite; found {int(checks[:, 0].sum())} NaN or inf value(s), "
                f"the first at index {where} (chunk {first}, indices {self.offsets[first]}.."
                f"{self.offsets[first + 1] - 1})"
            )
        self._variance = _pooled_variance(*checks[:, 2:].T)

    def __enter__(self) -> OnDask:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release: the scheduler belongs to the user."""

    def variance(self) -> float:
        return self._variance

    def values_at(self, index: np.ndarray) -> np.ndarray:
        """The observations at these positions, fetched alone (not the whole array)."""
        order = np.argsort(index)
        out = np.empty(len(index))
        out[order] = np.asarray(self.x[np.asarray(index)[order]].compute(), dtype=np.float64)
        return out

    def sums(self, params: MixtureParams, hard: bool) -> tuple[SufficientStatistics, float]:
        """One E-step's statistics and log-likelihood: a map over chunks and a sum; only
        the 3K + 1 totals reach the client."""
        k = params.n_components
        per_chunk = self.x.map_blocks(
            _chunk_total, params, hard, new_axis=1, dtype=np.float64,
            chunks=((1,) * self.x.numblocks[0], (3 * k + 1,)), meta=np.empty((0, 0)),
        )
        return add_sums(per_chunk.sum(axis=0).compute(), params.means)

    def responsibilities(self, params: MixtureParams, hard: bool) -> da.Array:
        """Eq (12) (or its hard limit), shape (n, K): a lazy dask array, chunked as ``x``."""
        return self.x.map_blocks(
            _chunk_responsibilities, params, hard, new_axis=1, dtype=np.float64,
            chunks=(self.x.chunks[0], (params.n_components,)), meta=np.empty((0, 0)),
        )


def _sample_chunk(block_id: tuple[int], params: MixtureParams, sizes: tuple[int, ...],
                  seed: int) -> np.ndarray:
    """One chunk of draws. z_i by inverting the categorical's CDF (the number of cumulative
    weights at or below a uniform u_i), then x_i = mu_{z_i} + sigma_{z_i} e_i: about ten
    times faster than a weighted ``Generator.choice``, which matters when the chunks are
    drawn again at every EM iteration."""
    rng = np.random.default_rng([seed, block_id[0]])
    m = sizes[block_id[0]]
    u = rng.random(m)
    z = np.zeros(m, dtype=np.intp)
    for threshold in np.cumsum(params.weights)[:-1]:  # K - 1 passes, not a loop over points
        z += u >= threshold
    x = rng.standard_normal(m)
    x *= np.sqrt(params.variances)[z]
    x += params.means[z]
    return x


def sample(params: MixtureParams, n: int, *, chunks: int = 1_000_000, seed: int = 0) -> da.Array:
    """n draws from the mixture, eqs (1)-(2), as a lazy dask array.

    Each chunk is drawn when a task needs it, from its own generator (seeded with
    ``[seed, chunk index]``), so the array is never held whole, the same ``seed`` gives the
    same numbers on every scheduler, and recomputing a chunk gives it again.

    Parameters
    ----------
    params : MixtureParams
        The mixture to draw from.
    n : int
        Number of draws, at least 1.
    chunks : int, default 1_000_000
        Draws per chunk (the last chunk holds the rest).
    seed : int, default 0
        Non-negative seed.

    Returns
    -------
    dask.array.Array of shape (n,)
    """
    if not isinstance(params, MixtureParams):
        raise TypeError(f"params must be a MixtureParams; got {type(params).__name__}")
    n = check_positive_int(n, "n")
    size = check_positive_int(chunks, "chunks")
    seed = check_positive_int(seed, "seed", minimum=0)
    sizes = (size,) * (n // size) + ((n % size,) if n % size else ())
    return da.map_blocks(_sample_chunk, params=params, sizes=sizes, seed=seed,
                         chunks=(sizes,), dtype=np.float64, meta=np.empty(0))
