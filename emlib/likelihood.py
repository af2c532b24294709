"""The likelihood of the means, eqs (1)-(5) of the notes, with every constant restored.

Eq (5) drops the normal constant ``(2 pi sigma^2)^(-1/2)`` of each density and
promises to put it back; it is put back here. With a common variance the dropped
factor is the same for every term of the inner sum, so it leaves the sum whole:

    log p(x | mu) = -n log(2 pi sigma^2) / 2
                    + sum_i log sum_k pi_k exp(-(x_i - mu_k)^2 / (2 sigma^2))
                  = dropped_constant(n, sigma^2) + log_likelihood_kernel(x, theta).
"""

from __future__ import annotations

import numpy as np

from ._numerics import logsumexp
from ._validation import check_data, check_positive_int, check_positive_real
from .model import LOG_2PI, MixtureParams, _log_joint


def log_joint(x: object, params: MixtureParams) -> np.ndarray:
    """Log of each term of the inner sum of eq (4), ``log p(x_i, z_i = k | theta)``.

    ``log p(x_i, z_i = k | theta) = log pi_k + log N(x_i | mu_k, sigma_k^2)``
    (eqs (3)-(4): the joint of a point and its label, by the product rule).

    Parameters
    ----------
    x : array_like, shape (n,)
        Observations.
    params : MixtureParams
        The parameters theta.

    Returns
    -------
    ndarray of shape (n, K)
    """
    return _log_joint(check_data(x), params)


def log_likelihood(x: object, params: MixtureParams) -> float:
    """Log-likelihood ``log p(x_1, ..., x_n | theta)``, eqs (1)-(4), constants included.

    ``sum_i log sum_k pi_k N(x_i | mu_k, sigma_k^2)``: independence (2) turns
    the product over points into a sum of logs, and marginalising the label
    (3)-(4) gives the inner sum, evaluated by log-sum-exp so that it does not
    underflow when every component density is tiny.

    Parameters
    ----------
    x : array_like, shape (n,)
        Observations.
    params : MixtureParams
        The parameters theta.

    Returns
    -------
    float

    Examples
    --------
    >>> round(log_likelihood([0.0], MixtureParams([0.0], variance=1.0)), 6)
    -0.918939
    """
    return float(np.sum(logsumexp(log_joint(x, params), axis=1)))


def log_likelihood_kernel(x: object, params: MixtureParams) -> float:
    """The log of eq (5): the likelihood with the normal constants dropped.

    ``sum_i log sum_k pi_k exp(-(x_i - mu_k)^2 / (2 sigma^2))``. Only defined
    with a common variance: with per-component variances the constants differ
    between the terms of the inner sum and cannot be pulled out of it.

    Raises
    ------
    ValueError
        If the components do not share one variance.

    See Also
    --------
    dropped_constant : what this leaves out; the two add up to :func:`log_likelihood`.
    """
    data = check_data(x)
    if not params.shared_variance:
        raise ValueError(
            "params must have a common variance for eq (5): with per-component "
            f"variances {params.variances} the normal constants do not factor out"
        )
    with np.errstate(divide="ignore"):
        log_weights = np.log(params.weights)
    diff = data[:, None] - params.means
    terms = log_weights - diff * diff / (2.0 * params.variances)
    return float(np.sum(logsumexp(terms, axis=1)))


def dropped_constant(n: int, variance: float) -> float:
    """The constant that eq (5) drops: ``-n log(2 pi sigma^2) / 2``.

    Each of the ``n`` factors of eq (4) loses ``(2 pi sigma^2)^(-1/2)``; on the
    log scale that is ``-log(2 pi sigma^2) / 2`` per point.

    Parameters
    ----------
    n : int
        Number of observations.
    variance : float
        The common variance sigma^2.

    Returns
    -------
    float
    """
    n = check_positive_int(n, "n")
    variance = check_positive_real(variance, "variance")
    return -0.5 * n * (LOG_2PI + float(np.log(variance)))
