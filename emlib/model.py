"""The generative model: parameters, sampling, component and mixture densities.

The model of the notes: each label is drawn first, ``z_i ~ Categorical(pi)``,
then the observation given its label, ``x_i | z_i = k ~ N(mu_k, sigma^2)``.
The extensions the course teaches let each component have its own variance
``sigma_k^2``; a shared variance is the special case where all are equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._numerics import logsumexp
from ._validation import (
    check_data,
    check_means,
    check_positive_int,
    check_rng,
    check_variances,
    check_weights,
)

LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass(frozen=True, eq=False)
class MixtureParams:
    """Parameters of a 1-D Gaussian mixture, theta = (mu, pi, sigma^2).

    Parameters
    ----------
    means : array_like, shape (K,)
        Component means ``mu_1, ..., mu_K``.
    weights : array_like, shape (K,), optional
        Mixing weights ``pi_k = P(z_i = k)``; non-negative, summing to one.
        Uniform ``1/K`` when omitted.
    variance : float or array_like of shape (K,), default 1.0
        ``sigma^2``: a scalar for the common variance of the notes, or one
        variance per component.

    Raises
    ------
    ValueError, TypeError
        If any argument has the wrong shape, is not finite, or is out of range;
        the message names the argument.

    Examples
    --------
    >>> p = MixtureParams(means=[-2.0, 3.0], weights=[0.3, 0.7], variance=1.0)
    >>> p.n_components, p.shared_variance
    (2, True)
    """

    means: np.ndarray
    weights: np.ndarray | None = None
    variance: float | np.ndarray = 1.0
    variances: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        means = np.asarray(self.means)
        k = means.size if means.ndim == 1 else -1
        if means.ndim != 1 or k < 1:
            raise ValueError(f"means must be a non-empty 1-D array; got shape {means.shape}")
        weights = np.full(k, 1.0 / k) if self.weights is None else check_weights(self.weights, k)
        self._assign(check_means(means, k), weights, check_variances(self.variance, k))

    @classmethod
    def _trusted(
        cls, means: np.ndarray, weights: np.ndarray, variances: np.ndarray
    ) -> MixtureParams:
        """Build from arrays already known to be valid, skipping the checks.

        The EM loop builds one of these per iteration from its own updates;
        re-validating them costs as much as an iteration on small data.
        """
        params = object.__new__(cls)
        params._assign(means, weights, variances)
        return params

    def _assign(self, means: np.ndarray, weights: np.ndarray, variances: np.ndarray) -> None:
        for arr in (means, weights, variances):
            arr.setflags(write=False)
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "variances", variances)
        shared = bool(np.all(variances == variances[0]))
        object.__setattr__(self, "variance", float(variances[0]) if shared else variances)

    @property
    def n_components(self) -> int:
        """K, the number of components."""
        return self.means.size

    @property
    def shared_variance(self) -> bool:
        """True when every component has the same variance (the notes' setting)."""
        return bool(np.all(self.variances == self.variances[0]))

    def order_by_mean(self) -> np.ndarray:
        """Permutation that sorts the components by increasing mean (stable)."""
        return np.argsort(self.means, kind="stable")

    def permuted(self, order: np.ndarray) -> MixtureParams:
        """The same mixture with its components relabelled: new k = old ``order[k]``."""
        order = np.asarray(order)
        if sorted(order.tolist()) != list(range(self.n_components)):
            raise ValueError(
                f"order must be a permutation of 0..{self.n_components - 1}; got {order}"
            )
        return MixtureParams(self.means[order], self.weights[order], self.variances[order])

    def sorted_by_mean(self) -> MixtureParams:
        """The same mixture with components ordered by increasing mean."""
        return self.permuted(self.order_by_mean())


def sample(
    params: MixtureParams, n: int, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` labelled observations from the mixture.

    First ``z_i ~ Categorical(pi)``, then ``x_i | z_i = k ~ N(mu_k, sigma_k^2)``:
    the generative story behind eqs (3)-(4) of the notes.

    Parameters
    ----------
    params : MixtureParams
        The mixture to sample from.
    n : int
        Number of observations, at least 1.
    rng : numpy.random.Generator or int or None
        Source of randomness; an integer is used as a seed.

    Returns
    -------
    x : ndarray of shape (n,)
        The observations.
    z : ndarray of shape (n,), dtype int
        Their component labels, in ``0..K-1``.

    Examples
    --------
    >>> x, z = sample(MixtureParams([-2.0, 2.0]), 5, rng=0)
    >>> x.shape, z.shape
    ((5,), (5,))
    """
    n = check_positive_int(n, "n")
    gen = check_rng(rng, "rng")
    z = gen.choice(params.n_components, size=n, p=params.weights)
    x = gen.normal(params.means[z], np.sqrt(params.variances[z]))
    return x, z


def _component_logpdf(x: np.ndarray, means: np.ndarray, variances: np.ndarray) -> np.ndarray:
    """log N(x_i | mu_k, sigma_k^2) as an (n, K) array; inputs trusted."""
    diff = x[:, None] - means
    return -0.5 * (LOG_2PI + np.log(variances)) - diff * diff / (2.0 * variances)


def _log_joint(x: np.ndarray, params: MixtureParams) -> np.ndarray:
    """log pi_k + log N(x_i | mu_k, sigma_k^2) as an (n, K) array; inputs trusted."""
    # log(0) = -inf is the right value for an empty weight: that component
    # can never have generated a point.
    with np.errstate(divide="ignore"):
        log_weights = np.log(params.weights)
    return log_weights + _component_logpdf(x, params.means, params.variances)


def component_logpdf(x: object, params: MixtureParams) -> np.ndarray:
    """Log density of each component at each point, ``log N(x_i | mu_k, sigma_k^2)``.

    The factor ``p(x_i | z_i = k, mu)`` of eq (4), with its normal constant
    ``-log(2 pi sigma^2) / 2`` kept (eq (5) drops it).

    Parameters
    ----------
    x : array_like, shape (n,)
        Observations.
    params : MixtureParams
        The mixture.

    Returns
    -------
    ndarray of shape (n, K)
    """
    return _component_logpdf(check_data(x), params.means, params.variances)


def component_pdf(x: object, params: MixtureParams) -> np.ndarray:
    """Density of each component at each point, ``N(x_i | mu_k, sigma_k^2)``, shape (n, K).

    See :func:`component_logpdf`; this is its exponential and underflows to 0
    far from a mean, which the log form does not.
    """
    return np.exp(component_logpdf(x, params))


def mixture_logpdf(x: object, params: MixtureParams) -> np.ndarray:
    """Log of the mixture density, ``log sum_k pi_k N(x_i | mu_k, sigma_k^2)``, shape (n,).

    One factor of eq (4) per point, evaluated with log-sum-exp so that it stays
    finite where every component density underflows.
    """
    return logsumexp(_log_joint(check_data(x), params), axis=1)


def mixture_pdf(x: object, params: MixtureParams) -> np.ndarray:
    """Mixture density ``p(x_i | theta) = sum_k pi_k N(x_i | mu_k, sigma_k^2)``, shape (n,)."""
    return np.exp(mixture_logpdf(x, params))
