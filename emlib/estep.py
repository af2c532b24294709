"""The E-step, eqs (8)-(12): responsibilities R_ik = P(z_i = k | x_i, theta^(t-1)).

Bayes' rule gives, for each point, a softmax over the components of the log
joint ``a_ik = log pi_k + log N(x_i | mu_k, sigma_k^2)``:

    R_ik = exp(a_ik) / sum_j exp(a_ij) = exp(a_ik - logsumexp_j a_ij).

Eq (12) evaluates the ratio of exponentials directly. When sigma^2 is small
next to the distances (x_i - mu_k)^2, every exponential underflows to 0 and
the ratio becomes 0/0. Subtracting the row maximum first (log-sum-exp) makes
the largest term exactly 1, so the denominator is at least 1 and nothing
underflows to a division by zero.
"""

from __future__ import annotations

import numpy as np

from ._numerics import logsumexp
from ._validation import check_data, check_means
from .model import MixtureParams, _log_joint


def log_responsibilities(x: object, params: MixtureParams) -> tuple[np.ndarray, np.ndarray]:
    """Log-responsibilities and per-point log-normalisers, eqs (8)-(12) in log space.

    Parameters
    ----------
    x : array_like, shape (n,)
        Observations.
    params : MixtureParams
        The current parameters theta^(t-1).

    Returns
    -------
    log_resp : ndarray of shape (n, K)
        ``log R_ik = a_ik - log sum_j exp(a_ij)``.
    log_norm : ndarray of shape (n,)
        ``log sum_j exp(a_ij) = log p(x_i | theta)``: the denominator of eq (12)
        with its constants, whose sum over i is the log-likelihood.
    """
    joint = _log_joint(check_data(x), params)
    # Shift each row by its maximum before subtracting the normaliser: the
    # dominant term is then exactly 0 and the rounding error stays ~1e-16
    # however large |a_ik| is (subtracting logsumexp from a_ik directly
    # would leave an error of 1e-16 * |a_ik|).
    shifted = joint - joint.max(axis=1, keepdims=True)
    log_sum = logsumexp(shifted, axis=1)
    return shifted - log_sum[:, None], joint.max(axis=1) + log_sum


def responsibilities(x: object, params: MixtureParams) -> np.ndarray:
    """Responsibilities ``R_ik = P(z_i = k | x_i, theta^(t-1))``, eq (12), shape (n, K).

    Computed through :func:`log_responsibilities`: finite and normalised (rows
    sum to one) for any positive sigma^2, including values so small that every
    density of eq (12) underflows.

    Examples
    --------
    >>> r = responsibilities([0.0, 10.0], MixtureParams([0.0, 10.0], variance=1e-12))
    >>> r.round(3).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    log_resp, _ = log_responsibilities(x, params)
    return np.exp(log_resp)


def responsibilities_naive(x: object, params: MixtureParams) -> np.ndarray:
    """Eq (12) taken literally: a ratio of exponentials. For teaching only.

    ``exp(-(x_i - mu_k)^2 / (2 sigma^2)) pi_k / sum_j exp(-(x_i - mu_j)^2 / (2 sigma^2)) pi_j``.
    Two limits, both kept on purpose because they are the formula's own:

    - every exponential underflows to 0 once ``(x_i - mu_k)^2 / (2 sigma^2)``
      exceeds about 745 for all k, and the row becomes 0/0 = NaN;
    - eq (11) dropped the normal constant ``(2 pi sigma^2)^(-1/2)``, which is
      valid only when all components share sigma^2. With per-component
      variances (``params.variance`` an array) the result is wrong.

    Use :func:`responsibilities` instead.

    Returns
    -------
    ndarray of shape (n, K)
        May hold NaN where the formula underflows.
    """
    data = check_data(x)
    diff = data[:, None] - params.means
    with np.errstate(under="ignore"):
        numerators = np.exp(-diff * diff / (2.0 * params.variances)) * params.weights
    with np.errstate(invalid="ignore", divide="ignore"):
        return numerators / numerators.sum(axis=1, keepdims=True)


def hard_responsibilities(x: object, means: object) -> np.ndarray:
    """The sigma^2 -> 0 limit of eq (12): one-hot assignment to the nearest mean.

    As sigma^2 -> 0 the term ``-(x_i - mu_k)^2 / (2 sigma^2)`` dominates
    ``log pi_k`` and the softmax puts all its mass on the closest mean (any
    weight pi_k > 0 drops out). This is the assignment step of k-means.
    At an exact tie between two means the limit is not one-hot (it is
    ``pi_k / (pi_k + pi_j)``); by convention ties go to the lower index.

    Parameters
    ----------
    x : array_like, shape (n,)
        Observations.
    means : array_like, shape (K,)
        Component means.

    Returns
    -------
    ndarray of shape (n, K)
        Rows with a single 1.0.
    """
    data = check_data(x)
    mu = check_means(means, np.size(means))
    nearest = np.argmin(np.abs(data[:, None] - mu), axis=1)
    return (nearest[:, None] == np.arange(mu.size)).astype(np.float64)
