"""One pass over the data for the EM loop: the E-step fused with the M-step's sums.

EM needs from the data, per iteration, only three sums per component and the
log-likelihood (eqs (13)-(19)): a map over blocks of the data and an addition.
:func:`block_sums` is the map: one row of sums per cache-sized block.
:func:`add_sums` is the reduction. The same two functions serve every way of
running the loop: serially, on a thread pool over blocks
(:mod:`emlib.passes`), and on a dask array, one task per chunk
(:mod:`emlib.scale`).

This is :func:`emlib.estep.log_responsibilities` followed by
:func:`emlib.mstep.statistics`, rearranged for speed; the two give the same
numbers (the tests check it). Where speed shaped the code:

- Arrays are laid out (K, m), components by rows. Reductions over the
  components (the max and the sum of the softmax) then run along the long
  axis as K-1 vectorised element-wise operations, instead of n tiny
  reductions of length K; on 1-D data this alone is worth about 4x.
- The data are processed in blocks of about 2**18 entries, so the K x m
  temporaries (2 MB each) stay in the processor's cache and the memory used
  does not grow with n, while each NumPy call has enough work to make its
  fixed cost small (on a thread pool, also the handover of the GIL between
  calls: blocks of 2**14 entries run slower on two threads than on one). Only
  the final pass, which returns the responsibilities, writes a K x n array.
- Blocks start at multiples of a fixed number of rows, and their sums are added
  in block order, so a thread pool that splits the blocks among its threads
  returns exactly the serial numbers, bit for bit.
- The temporaries live in one workspace that the loop allocates once and
  every pass reuses (``out=`` arguments). Fresh arrays of this size come from
  the operating system as new pages on each pass, and the page faults cost
  more than the arithmetic on small and mid-sized data.
- One ``exp`` per entry: the responsibilities are exp(a - max) divided by
  their row sum, not exp(a - logsumexp(a)), which would need a second.
- The differences x_i - mu_k computed for the E-step are reused for the
  weighted sums about the previous means (see :mod:`emlib.mstep`).
"""

from __future__ import annotations

import numpy as np

from .model import LOG_2PI, MixtureParams
from .mstep import SufficientStatistics

CHUNK_ENTRIES = 2**18
MIN_BLOCK_ROWS = 1024


def block_rows(k: int) -> int:
    """Data points per block for K components: about ``CHUNK_ENTRIES`` entries."""
    return max(MIN_BLOCK_ROWS, CHUNK_ENTRIES // k)


def workspace(n: int, k: int) -> np.ndarray:
    """Scratch space for :func:`block_sums`: three (K, rows) arrays, rows covering one
    block."""
    return np.empty((3, k, max(1, min(n, block_rows(k)))))


def block_sums(
    x: np.ndarray,
    params: MixtureParams,
    *,
    hard: bool = False,
    resp_out: np.ndarray | None = None,
    work: np.ndarray | None = None,
) -> np.ndarray:
    """The E-step's sums over each block of ``x``; inputs trusted.

    Parameters
    ----------
    x : ndarray of shape (n,)
        Observations, already validated; n may be 0.
    params : MixtureParams
        The current parameters theta^(t-1).
    hard : bool
        Use the sigma^2 -> 0 limit (nearest mean) instead of eq (12).
    resp_out : ndarray of shape (K, n), optional
        Where to write the responsibilities, eq (12).
    work : ndarray, optional
        A :func:`workspace` for this n and K, reused between calls; its rows set the
        block size (``block_rows(K)`` unless smaller than n).

    Returns
    -------
    ndarray of shape (blocks, 3K + 1)
        Row b holds block b's ``N_k`` (columns 0..K-1), ``S1_k`` and ``S2_k`` about the
        current means (the next 2K) and its log-likelihood (eqs (1)-(4), the last column);
        in the hard limit the classification log-likelihood
        ``sum_i log N(x_i | mu_{z_i}, sigma_{z_i}^2)`` with ``z_i`` the nearest mean,
        which k-means never decreases.
    """
    k = params.n_components
    n = x.size
    mu = params.means[:, None]
    scale = (-0.5 / params.variances)[:, None]
    log_norm_const = -0.5 * (LOG_2PI + np.log(params.variances))
    with np.errstate(divide="ignore"):
        offset = (np.log(params.weights) + log_norm_const)[:, None]
    if work is None:
        work = workspace(n, k)
    rows = work.shape[2]
    out = np.empty((-(-n // rows), 3 * k + 1))

    for b, start in enumerate(range(0, n, rows)):
        stop = min(start + rows, n)
        m = stop - start
        diff = np.subtract(x[start:stop], mu, out=work[0, :, :m])
        sq = np.multiply(diff, diff, out=work[1, :, :m])
        resp = work[2, :, :m] if resp_out is None else resp_out[:, start:stop]
        if hard:
            nearest = np.argmin(sq, axis=0)
            cols = np.arange(m)
            resp.fill(0.0)
            resp[nearest, cols] = 1.0
            out[b, -1] = np.sum(log_norm_const[nearest] + scale[nearest, 0] * sq[nearest, cols])
        else:
            np.multiply(sq, scale, out=resp)
            resp += offset
            top = resp.max(axis=0)
            resp -= top
            np.exp(resp, out=resp)
            total = resp.sum(axis=0)
            # m divisions and K*m multiplications are cheaper than K*m divisions.
            resp *= 1.0 / total
            out[b, -1] = top.sum() + np.log(total).sum()
        resp.sum(axis=1, out=out[b, :k])
        np.einsum("ki,ki->k", resp, diff, out=out[b, k : 2 * k])
        np.einsum("ki,ki->k", resp, sq, out=out[b, 2 * k : 3 * k])
    return out


def add_sums(sums: np.ndarray, centre: np.ndarray) -> tuple[SufficientStatistics, float]:
    """The reduction: rows of :func:`block_sums` (or of several chunks' totals) added in
    order, as the M-step's statistics about ``centre`` and the log-likelihood."""
    k = centre.size
    total = sums.sum(axis=0) if sums.ndim == 2 else sums
    stats = SufficientStatistics(total[:k].copy(), total[k : 2 * k].copy(),
                                 total[2 * k : 3 * k].copy(), centre)
    return stats, float(total[-1])


def sweep(
    x: np.ndarray,
    params: MixtureParams,
    *,
    hard: bool = False,
    keep_resp: bool = False,
    work: np.ndarray | None = None,
) -> tuple[SufficientStatistics, float, np.ndarray | None]:
    """E-step and sufficient statistics in one serial pass; inputs trusted.

    :func:`block_sums` followed by :func:`add_sums`.

    Parameters
    ----------
    x : ndarray of shape (n,)
        Observations, already validated.
    params : MixtureParams
        The current parameters theta^(t-1).
    hard : bool
        Use the sigma^2 -> 0 limit (nearest mean) instead of eq (12).
    keep_resp : bool
        Also return the responsibilities.
    work : ndarray, optional
        A :func:`workspace` for this n and K, reused between calls.

    Returns
    -------
    stats : SufficientStatistics
        ``N_k``, ``S1_k``, ``S2_k`` about the current means.
    loglik : float
        The log-likelihood of ``params`` (eqs (1)-(4)); in the hard limit the
        classification log-likelihood (see :func:`block_sums`).
    resp : ndarray of shape (n, K) or None
        The responsibilities (a transposed view of a (K, n) array).
    """
    resp = np.empty((params.n_components, x.size)) if keep_resp else None
    stats, loglik = add_sums(block_sums(x, params, hard=hard, resp_out=resp, work=work),
                             params.means)
    return stats, loglik, None if resp is None else resp.T
