"""The M-step, eqs (13)-(19): the Q function and the parameters that maximise it.

Every update is a function of three weighted sums per component, taken about
reference points c_k (the previous means):

    N_k = sum_i R_ik,   S1_k = sum_i R_ik (x_i - c_k),   S2_k = sum_i R_ik (x_i - c_k)^2.

Then mu_k = c_k + S1_k / N_k is eq (19)'s weighted mean, and the weighted
scatter about the new mean is S2_k - S1_k^2 / N_k. Measuring about the
previous means rather than about 0 is a numerical choice: the textbook form
sum R x^2 - N mu^2 subtracts two numbers of size mu^2 to get one of size
sigma^2 and loses every digit when |mu| >> sigma; about c_k ~ mu_k both
terms are of size sigma^2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_choice, check_data, check_means, check_positive_real, check_real
from .model import LOG_2PI, MixtureParams

# A component with less total responsibility than this (in points) is treated
# as empty: its parameters are kept as they were instead of dividing by ~0.
# Keeping them never lowers Q, so the fit stays monotone.
EMPTY_COMPONENT = 1e-10

VARIANCE_MODELS = ("known", "shared", "per_component")


@dataclass(frozen=True, eq=False)
class SufficientStatistics:
    """Weighted sums ``N_k``, ``S1_k``, ``S2_k`` about the reference points ``centre``."""

    counts: np.ndarray
    first: np.ndarray
    second: np.ndarray
    centre: np.ndarray

    @property
    def n(self) -> float:
        return float(self.counts.sum())

    @property
    def nonempty(self) -> np.ndarray:
        return self.counts > EMPTY_COMPONENT

    def scatter(self) -> np.ndarray:
        """``sum_i R_ik (x_i - mu_k)^2`` about the updated means (0 for empty components)."""
        safe = np.where(self.nonempty, self.counts, 1.0)
        out = self.second - self.first * self.first / safe
        # Rounding can take an exact zero a hair below it.
        return np.where(self.nonempty, np.maximum(out, 0.0), 0.0)


def statistics(x: np.ndarray, resp: np.ndarray, centre: np.ndarray) -> SufficientStatistics:
    """Sufficient statistics of (x, R) about ``centre``; inputs trusted (n,), (n, K), (K,)."""
    diff = x[:, None] - centre
    return SufficientStatistics(
        counts=resp.sum(axis=0),
        first=np.einsum("ik,ik->k", resp, diff),
        second=np.einsum("ik,ik->k", resp, diff * diff),
        centre=centre,
    )


def means_from(stats: SufficientStatistics) -> np.ndarray:
    """Eq (19): ``mu_k = sum_i R_ik x_i / sum_i R_ik``, written as ``c_k + S1_k / N_k``."""
    safe = np.where(stats.nonempty, stats.counts, 1.0)
    return np.where(stats.nonempty, stats.centre + stats.first / safe, stats.centre)


def weights_from(stats: SufficientStatistics) -> np.ndarray:
    """``pi_k = N_k / n``: the maximiser of Q over the simplex (Lagrange multiplier n)."""
    return stats.counts / stats.n


def shared_variance_from(scatter: np.ndarray, n: float, floor: float) -> float:
    """``sigma^2 = sum_k sum_i R_ik (x_i - mu_k)^2 / n``, at least ``floor``.

    ``scatter[k]`` is ``sum_i R_ik (x_i - mu_k)^2``.
    """
    return max(float(scatter.sum() / n), floor)


def variances_from(
    scatter: np.ndarray, counts: np.ndarray, previous: np.ndarray, floor: float
) -> np.ndarray:
    """``sigma_k^2 = sum_i R_ik (x_i - mu_k)^2 / N_k``, at least ``floor``.

    Without the floor a component that sits on a single point has variance 0
    and the likelihood is unbounded; Q in sigma_k^2 rises then falls, so the
    floored value is the maximiser over ``sigma_k^2 >= floor``. Empty
    components keep their previous variance.
    """
    nonempty = counts > EMPTY_COMPONENT
    fitted = np.maximum(scatter / np.where(nonempty, counts, 1.0), floor)
    return np.where(nonempty, fitted, previous)


def params_from(
    stats: SufficientStatistics,
    params: MixtureParams,
    *,
    learn_weights: bool,
    variance_model: str,
    variance_floor: float,
) -> MixtureParams:
    """The M-step from sufficient statistics: new means, and weights/variances if learned."""
    means = means_from(stats)
    weights = weights_from(stats) if learn_weights else params.weights
    if variance_model == "shared":
        shared = shared_variance_from(stats.scatter(), stats.n, variance_floor)
        variances = np.full(params.n_components, shared)
    elif variance_model == "per_component":
        variances = variances_from(stats.scatter(), stats.counts, params.variances, variance_floor)
    else:
        variances = params.variances
    return MixtureParams._trusted(means, weights, variances)


def check_responsibilities(resp: object, n: int, k: int, name: str = "resp") -> np.ndarray:
    """Return ``resp`` as an (n, K) array of probabilities whose rows sum to one."""
    arr = np.asarray(resp, dtype=np.float64)
    if arr.shape != (n, k):
        raise ValueError(f"{name} must have shape (n, K) = ({n}, {k}); got {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr > 1):
        raise ValueError(f"{name} must hold probabilities in [0, 1]")
    worst = float(np.max(np.abs(arr.sum(axis=1) - 1.0)))
    if worst > 1e-6:
        raise ValueError(f"{name} rows must sum to 1; the worst row is off by {worst:.3g}")
    return arr


def _prepare(x: object, resp: object, means: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data = check_data(x)
    mu = check_means(means, np.size(means))
    return data, check_responsibilities(resp, data.size, mu.size), mu


def q_function(x: object, resp: object, params: MixtureParams) -> float:
    """The expected complete-data log-likelihood Q(theta | theta^(t-1)), eqs (13)-(17).

    ``Q = sum_i sum_k R_ik [log pi_k + log N(x_i | theta_k)]`` with
    ``R = R^(t-1)`` fixed from the E-step and ``theta`` the candidate
    parameters. Eq (17) drops ``-log(2 pi sigma^2) / 2`` from each term; it is
    kept here (it does not depend on the means, but does on sigma^2).

    Parameters
    ----------
    x : array_like, shape (n,)
        Observations.
    resp : array_like, shape (n, K)
        Responsibilities from the previous E-step.
    params : MixtureParams
        Candidate parameters theta^(t).

    Returns
    -------
    float
    """
    data, r, _ = _prepare(x, resp, params.means)
    diff = data[:, None] - params.means
    with np.errstate(divide="ignore"):
        log_weights = np.log(params.weights)
    terms = log_weights - 0.5 * (LOG_2PI + np.log(params.variances)) - diff * diff / (
        2.0 * params.variances
    )
    # 0 * log(0): a component with weight 0 and no responsibility adds nothing.
    # Mask before multiplying, so that 0 * -inf is never evaluated.
    return float(np.sum(r * np.where(r > 0, terms, 0.0)))


def q_gradient_means(x: object, resp: object, params: MixtureParams) -> np.ndarray:
    """dQ / d mu_k, eq (19) with its factor restored: ``sum_i R_ik (x_i - mu_k) / sigma_k^2``.

    Eq (19) of the notes omits the factor ``1 / sigma^2`` (harmless when
    setting the derivative to zero, but not the derivative).

    Returns
    -------
    ndarray of shape (K,)
    """
    data, r, _ = _prepare(x, resp, params.means)
    return np.einsum("ik,ik->k", r, data[:, None] - params.means) / params.variances


def update_means(x: object, resp: object, means: object) -> np.ndarray:
    """M-step for the means, eqs (18)-(19): ``mu_k = sum_i w_ik x_i``, ``w_ik = R_ik / N_k``.

    Parameters
    ----------
    x : array_like, shape (n,)
        Observations.
    resp : array_like, shape (n, K)
        Responsibilities ``R^(t-1)`` from the E-step.
    means : array_like, shape (K,)
        The previous means ``mu^(t-1)``: the reference point of the sums, and
        kept for a component with no responsibility (avoiding 0 / 0).

    Returns
    -------
    ndarray of shape (K,)
        ``mu^(t)``.

    Examples
    --------
    >>> update_means([0.0, 2.0, 10.0], [[1, 0], [1, 0], [0, 1]], [0.0, 9.0]).tolist()
    [1.0, 10.0]
    """
    data, r, mu = _prepare(x, resp, means)
    return means_from(statistics(data, r, mu))


def update_weights(resp: object) -> np.ndarray:
    """M-step for the mixing weights: ``pi_k = sum_i R_ik / n``.

    Maximising Q over pi subject to sum_k pi_k = 1 with a Lagrange multiplier
    lambda gives ``N_k / pi_k = lambda``, and summing over k, ``lambda = n``.

    Returns
    -------
    ndarray of shape (K,)
    """
    arr = np.asarray(resp, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError(f"resp must have shape (n, K) with n >= 1; got {arr.shape}")
    r = check_responsibilities(arr, *arr.shape)
    return r.sum(axis=0) / r.shape[0]


def update_shared_variance(x: object, resp: object, means: object, floor: float = 0.0) -> float:
    """M-step for a common variance: ``sigma^2 = sum_i sum_k R_ik (x_i - mu_k)^2 / n``.

    Parameters
    ----------
    x, resp : array_like
        Observations (n,) and responsibilities (n, K).
    means : array_like, shape (K,)
        The means to measure the spread about: the updated ``mu^(t)``.
    floor : float, default 0.0
        Lower bound on the result.

    Returns
    -------
    float
    """
    data, r, mu = _prepare(x, resp, means)
    floor = check_real(floor, "floor")
    if floor < 0:
        raise ValueError(f"floor must be >= 0; got {floor}")
    # About the given means, S2 is the scatter itself.
    return shared_variance_from(statistics(data, r, mu).second, data.size, floor)


def update_variances(
    x: object, resp: object, means: object, previous: object, floor: float
) -> np.ndarray:
    """M-step for per-component variances: ``sigma_k^2 = sum_i R_ik (x_i - mu_k)^2 / N_k``.

    Parameters
    ----------
    x, resp : array_like
        Observations (n,) and responsibilities (n, K).
    means : array_like, shape (K,)
        The updated means ``mu^(t)``.
    previous : array_like, shape (K,)
        Variances kept for an empty component.
    floor : float
        Lower bound on each variance, > 0: stops a component collapsing onto
        one point, where the likelihood is unbounded.

    Returns
    -------
    ndarray of shape (K,)
    """
    data, r, mu = _prepare(x, resp, means)
    prev = check_means(previous, mu.size, "previous")
    stats = statistics(data, r, mu)
    return variances_from(stats.second, stats.counts, prev, check_positive_real(floor, "floor"))


def m_step(
    x: object,
    resp: object,
    params: MixtureParams,
    *,
    learn_weights: bool = False,
    variance_model: str = "known",
    variance_floor: float = 1e-12,
) -> MixtureParams:
    """One full M-step: the theta^(t) that maximises Q(theta | theta^(t-1)).

    Means by eq (19); with ``learn_weights`` the weights by ``N_k / n``; with
    ``variance_model`` "shared" or "per_component" the variance(s) about the
    new means, floored at ``variance_floor``. "known" keeps sigma^2 fixed, as
    in the notes.

    Returns
    -------
    MixtureParams
    """
    data, r, mu = _prepare(x, resp, params.means)
    check_choice(variance_model, "variance_model", VARIANCE_MODELS)
    floor = check_positive_real(variance_floor, "variance_floor")
    return params_from(
        statistics(data, r, mu),
        params,
        learn_weights=bool(learn_weights),
        variance_model=variance_model,
        variance_floor=floor,
    )
