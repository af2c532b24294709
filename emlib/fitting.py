"""The EM loop of the notes' summary, and its extensions.

Start from theta^(0); then repeat the E-step (responsibilities under
theta^(t-1), eq (12)) and the M-step (theta^(t) maximising Q, eq (19)) until
the log-likelihood stops changing. Each model variant changes only which
parameters the M-step updates (see :func:`emlib.mstep.params_from`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np

from ._validation import (
    check_choice,
    check_means,
    check_n_components,
    check_positive_int,
    check_positive_real,
    check_rng,
    check_tol,
    check_variances,
    check_weights,
)
from .model import MixtureParams
from .mstep import VARIANCE_MODELS, params_from
from .passes import InMemory, data_of
from .progress import Progress


class ConvergenceWarning(UserWarning):
    """EM reached its iteration cap before the log-likelihood settled."""


@dataclass(frozen=True, eq=False)
class FitResult:
    """What :func:`fit` returns.

    Attributes
    ----------
    params : MixtureParams
        The final estimates theta^(T).
    responsibilities : ndarray of shape (n, K)
        ``P(z_i = k | x_i, theta^(T))`` under the final estimates; for a dask input, a lazy
        dask array of that shape.
    means_history, weights_history, variances_history : ndarray of shape (T + 1, K)
        Row t holds theta^(t); row 0 is the initialisation.
    log_likelihood_history : ndarray of shape (T + 1,)
        Entry t is the log-likelihood of theta^(t) (eqs (1)-(4), constants
        included). Never decreases, up to rounding.
    n_iter : int
        T, the number of M-steps taken.
    converged : bool
        Whether the change in log-likelihood per point fell below ``tol``
        before ``max_iter`` was reached.
    learn_weights, variance_model : bool, str
        Which parameters were learned (as passed to :func:`fit`).
    """

    params: MixtureParams
    responsibilities: np.ndarray
    means_history: np.ndarray
    weights_history: np.ndarray
    variances_history: np.ndarray
    log_likelihood_history: np.ndarray
    n_iter: int
    converged: bool
    learn_weights: bool = False
    variance_model: str = "known"

    @property
    def means(self) -> np.ndarray:
        return self.params.means

    @property
    def weights(self) -> np.ndarray:
        return self.params.weights

    @property
    def variances(self) -> np.ndarray:
        return self.params.variances

    @property
    def variance(self) -> float | np.ndarray:
        """The common sigma^2 as a float, or the per-component variances."""
        return self.params.variance

    @property
    def log_likelihood(self) -> float:
        """Log-likelihood of the final estimates."""
        return float(self.log_likelihood_history[-1])

    @property
    def n_parameters(self) -> int:
        """Number of free parameters fitted (see :func:`emlib.selection.n_parameters`)."""
        from .selection import n_parameters

        return n_parameters(self.params.n_components, learn_weights=self.learn_weights,
                            variance_model=self.variance_model)

    @property
    def labels(self) -> np.ndarray:
        """Most responsible component of each point, shape (n,)."""
        return np.argmax(self.responsibilities, axis=1)

    def sorted_by_mean(self) -> FitResult:
        """The same fit with components relabelled in order of increasing final mean.

        EM's likelihood is symmetric under relabelling (label switching); sorting
        makes results comparable across runs and with the truth.
        """
        order = self.params.order_by_mean()
        return replace(
            self,
            params=self.params.permuted(order),
            responsibilities=self.responsibilities[:, order],
            means_history=self.means_history[:, order],
            weights_history=self.weights_history[:, order],
            variances_history=self.variances_history[:, order],
        )


def initial_means(data: InMemory, k: int, rng: np.random.Generator) -> np.ndarray:
    """K distinct data points drawn at random, sorted: a simple, seedable start."""
    return np.sort(data.values_at(rng.choice(data.size, size=k, replace=False)))


def fit(
    x: object,
    n_components: int,
    *,
    variance: float | np.ndarray | None = None,
    weights: np.ndarray | None = None,
    means_init: np.ndarray | None = None,
    seed: int | np.random.Generator | None = None,
    learn_weights: bool = False,
    variance_model: str = "known",
    variance_floor: float | None = None,
    hard: bool = False,
    tol: float = 1e-8,
    max_iter: int = 1000,
    n_jobs: int | None = None,
    progress: bool = False,
) -> FitResult:
    """Fit a 1-D Gaussian mixture by EM: the algorithm of the notes' summary.

    With the defaults this is exactly the notes' setting: known weights pi and
    a known common variance sigma^2, unknown means. The options add the
    extensions the course derives later.

    Parameters
    ----------
    x : array_like or dask.array.Array, shape (n,)
        Observations. A dask array is fitted where its chunks are, by a map over them
        and a sum per iteration (:mod:`emlib.scale`), without loading it whole.
    n_components : int
        K, with 1 <= K <= n.
    variance : float or array_like of shape (K,), optional
        sigma^2. Required when ``variance_model="known"`` (it is then held
        fixed); otherwise the starting value, by default the variance of ``x``.
    weights : array_like of shape (K,), optional
        pi, held fixed unless ``learn_weights``; uniform when omitted.
    means_init : array_like of shape (K,), optional
        mu^(0). When omitted, K distinct data points chosen with ``seed``.
    seed : int or numpy.random.Generator, optional
        Randomness for the initialisation; the same seed gives the same fit.
    learn_weights : bool, default False
        Also update pi by ``N_k / n`` in each M-step.
    variance_model : {"known", "shared", "per_component"}, default "known"
        Hold sigma^2 fixed, learn one common sigma^2, or learn sigma_k^2 per
        component.
    variance_floor : float, optional
        Lower bound on learned variances, which stops a component collapsing
        onto a single point. Default ``1e-6 * var(x)`` (``1e-12`` if x is constant).
    hard : bool, default False
        Use the sigma^2 -> 0 limit of the E-step (assign each point to its
        nearest mean): the loop becomes Lloyd's k-means. Only with known
        weights and variance; the history then records the classification
        log-likelihood (see :func:`emlib.sweep.block_sums`).
    tol : float, default 1e-8
        Stop when the log-likelihood changes by less than ``tol`` per point.
    max_iter : int, default 1000
        Cap on the number of iterations, at least 1.
    n_jobs : int, optional
        Threads for data in memory (see :class:`emlib.passes.InMemory`): by default all
        cores once the data are large enough to pay for them. The result is the same,
        bit for bit, for every value. Not for a dask array, which runs on dask's
        scheduler.
    progress : bool, default False
        Show a progress bar (iteration, log-likelihood, change per point, elapsed time),
        in a notebook or a terminal; for fits that take more than a few seconds.

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError, TypeError
        For invalid arguments, naming the argument.

    Warns
    -----
    ConvergenceWarning
        If ``max_iter`` iterations were taken without converging.

    Examples
    --------
    >>> from emlib import MixtureParams, sample
    >>> x, _ = sample(MixtureParams([-3.0, 3.0], variance=1.0), 500, rng=0)
    >>> result = fit(x, 2, variance=1.0, seed=0)
    >>> result.converged, result.means.round(1).tolist()
    (True, [-3.1, 2.9])
    """
    data = data_of(x, n_jobs)
    k = check_n_components(n_components, data.size)
    variance_model = check_choice(variance_model, "variance_model", VARIANCE_MODELS)
    max_iter = check_positive_int(max_iter, "max_iter")
    tol = check_tol(tol)
    learn_weights = bool(learn_weights)
    hard = bool(hard)
    if hard and (learn_weights or variance_model != "known"):
        raise ValueError(
            "hard=True is the sigma^2 -> 0 limit with pi and sigma^2 known: it needs "
            f"learn_weights=False and variance_model='known'; got learn_weights={learn_weights}, "
            f"variance_model={variance_model!r}"
        )
    if variance is None:
        if variance_model == "known":
            raise ValueError(
                "variance must be given when variance_model='known' (sigma^2 is known "
                "in the notes' model); pass a positive float, or learn it with "
                "variance_model='shared'"
            )
        variance = max(data.variance(), np.finfo(float).tiny)
    variances = check_variances(variance, k)
    pi = np.full(k, 1.0 / k) if weights is None else check_weights(weights, k)
    if variance_floor is None:
        spread = data.variance()
        floor = 1e-6 * spread if spread > 0 else 1e-12
    else:
        floor = check_positive_real(variance_floor, "variance_floor")
    if means_init is None:
        mu0 = initial_means(data, k, check_rng(seed))
    else:
        mu0 = check_means(means_init, k, "means_init")

    params = MixtureParams(mu0, pi, variances)
    with data, Progress(bool(progress), max_iter) as report:
        return _run(data, params, learn_weights, variance_model, floor, hard, tol, max_iter,
                    report)


def _run(
    data: InMemory,
    params: MixtureParams,
    learn_weights: bool,
    variance_model: str,
    floor: float,
    hard: bool,
    tol: float,
    max_iter: int,
    report: Progress,
) -> FitResult:
    """The loop itself; arguments already validated."""
    history = [params]
    stats, loglik = data.sums(params, hard)
    logliks = [loglik]
    converged = False
    change = np.inf
    for _ in range(max_iter):
        params = params_from(
            stats, params, learn_weights=learn_weights,
            variance_model=variance_model, variance_floor=floor,
        )
        stats, loglik = data.sums(params, hard)
        history.append(params)
        change = (loglik - logliks[-1]) / data.size
        logliks.append(loglik)
        report(loglik, change)
        if abs(change) < tol:
            converged = True
            break
    if not converged:
        warnings.warn(
            f"EM did not converge in max_iter={max_iter} iterations: the last change in "
            f"log-likelihood per point was {change:.3g} (tol={tol:g}). Increase max_iter, "
            "loosen tol, or try another initialisation.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return FitResult(
        params=params,
        # One more E-step under the final parameters (lazy for a dask array).
        responsibilities=data.responsibilities(params, hard),
        means_history=np.array([p.means for p in history]),
        weights_history=np.array([p.weights for p in history]),
        variances_history=np.array([p.variances for p in history]),
        log_likelihood_history=np.array(logliks),
        n_iter=len(history) - 1,
        converged=converged,
        learn_weights=learn_weights,
        variance_model=variance_model,
    )
