"""The data the EM loop passes over, in memory: serially, or on a thread pool over blocks.

The loop (:func:`emlib.fitting.fit`) asks its data for the sums of one E-step per
iteration, and for the responsibilities once at the end. :class:`InMemory` answers from a
NumPy array; :class:`emlib.scale.OnDask` answers the same questions about a dask array.
Both run the kernel of :mod:`emlib.sweep`.

On a thread pool each thread takes a contiguous run of the kernel's blocks. NumPy
releases the GIL inside its element-wise loops, so the threads run on separate cores, and
because the blocks and the order in which their sums are added are those of the serial
pass, the result is the serial result bit for bit, whatever the number of threads.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._validation import check_data, check_positive_int
from .model import MixtureParams
from .mstep import SufficientStatistics
from .sweep import add_sums, block_rows, block_sums, workspace

# Below this many blocks per thread, handing work to threads costs more than it saves
# (a block takes about 1 ms; waking a thread and joining it about 0.05 ms).
BLOCKS_PER_THREAD = 2


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_n_jobs(n_jobs: object) -> int | None:
    """Return ``n_jobs``: ``None`` (choose) or an integer >= 1."""
    return None if n_jobs is None else check_positive_int(n_jobs, "n_jobs")


def data_of(x: object, n_jobs: object = None) -> InMemory:
    """The loop's data: :class:`InMemory`, or :class:`emlib.scale.OnDask` for a dask array.

    A dask array is recognised without importing dask (if dask is not imported, ``x``
    cannot be one), so that ``import emlib`` stays light.
    """
    dask_array = sys.modules.get("dask.array")
    if dask_array is not None and isinstance(x, dask_array.Array):
        from .scale import OnDask

        return OnDask(x, n_jobs)
    return InMemory(x, n_jobs)


class InMemory:
    """A NumPy array as the EM loop's data, its passes spread over ``n_jobs`` threads.

    Parameters
    ----------
    x : array_like of shape (n,)
        Observations (validated here: finite, 1-D, non-empty).
    n_jobs : int, optional
        Threads to use. By default every available core, as long as each thread gets at
        least ``BLOCKS_PER_THREAD`` blocks of the kernel (about 2**18 entries each), and
        one thread for small data. The result does not depend on it.
    """

    def __init__(self, x: object, n_jobs: int | None = None) -> None:
        self.x = check_data(x)
        self.n_jobs = check_n_jobs(n_jobs)
        self.size = self.x.size
        self._k = None
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> InMemory:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the thread pool, if one was started."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def variance(self) -> float:
        """The variance of the data (for the default start and floor of sigma^2)."""
        return float(np.var(self.x))

    def values_at(self, index: np.ndarray) -> np.ndarray:
        """The observations at these positions (for the random start)."""
        return self.x[index]

    def _parts(self, k: int) -> list[tuple[int, int, np.ndarray]]:
        """(start, stop, workspace) of each thread's run of blocks, made once per K."""
        if self._k != k:
            self.close()
            rows = block_rows(k)
            blocks = -(-self.size // rows)
            if self.n_jobs is None:
                threads = min(available_cores(), max(1, blocks // BLOCKS_PER_THREAD))
            else:
                threads = min(self.n_jobs, blocks)
            edges = np.minimum(np.linspace(0, blocks, threads + 1).round().astype(int) * rows,
                               self.size)
            self.parts = [(int(a), int(b), workspace(int(b - a), k))
                          for a, b in zip(edges[:-1], edges[1:], strict=True)]
            self._pool = ThreadPoolExecutor(threads - 1) if threads > 1 else None
            self._k = k
        return self.parts

    def _map(self, params: MixtureParams, hard: bool, resp: np.ndarray | None) -> np.ndarray:
        """Each block's sums, in block order."""
        def part_sums(part: tuple[int, int, np.ndarray]) -> np.ndarray:
            a, b, work = part
            return block_sums(self.x[a:b], params, hard=hard, work=work,
                              resp_out=None if resp is None else resp[:, a:b])

        parts = self._parts(params.n_components)
        if self._pool is None:
            return part_sums(parts[0])
        # The calling thread takes the first run itself: one thread fewer to wake.
        others = [self._pool.submit(part_sums, part) for part in parts[1:]]
        return np.concatenate([part_sums(parts[0])] + [job.result() for job in others])

    def sums(self, params: MixtureParams, hard: bool) -> tuple[SufficientStatistics, float]:
        """One E-step's statistics (about the current means) and the log-likelihood."""
        return add_sums(self._map(params, hard, None), params.means)

    def responsibilities(self, params: MixtureParams, hard: bool) -> np.ndarray:
        """Eq (12) (or its hard limit) for every point, shape (n, K)."""
        resp = np.empty((params.n_components, self.size))
        self._map(params, hard, resp)
        return resp.T
