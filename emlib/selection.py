"""Choosing K: the number of free parameters and the Bayesian information criterion.

The maximised log-likelihood never falls when a component is added (the
larger model contains the smaller one), and EM's fits, which reach a local
maximum, nearly always follow; so the training log-likelihood cannot choose
K. BIC
charges ``log n`` per free parameter; a held-out log-likelihood
(:func:`emlib.log_likelihood` on data the fit did not see) is the other
standard check.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_choice, check_positive_int
from .mstep import VARIANCE_MODELS


def n_parameters(k: int, *, learn_weights: bool = False, variance_model: str = "known") -> int:
    """Free parameters of a K-component fit: K means, K - 1 weights, 1 or K variances.

    The weights have K - 1 free values because they sum to one; known weights
    and a known variance (the notes' setting) add none.

    Examples
    --------
    >>> n_parameters(3), n_parameters(3, learn_weights=True, variance_model="per_component")
    (3, 8)
    """
    k = check_positive_int(k, "k")
    variance_model = check_choice(variance_model, "variance_model", VARIANCE_MODELS)
    variances = {"known": 0, "shared": 1, "per_component": k}[variance_model]
    return k + (k - 1 if learn_weights else 0) + variances


def bic(result) -> float:
    """Bayesian information criterion of a fit, ``-2 log L + p log n`` (lower is better).

    Parameters
    ----------
    result : FitResult
        A fit returned by :func:`emlib.fit`; ``n`` is its number of observations.

    Returns
    -------
    float
    """
    n = result.responsibilities.shape[0]
    return float(-2.0 * result.log_likelihood + result.n_parameters * np.log(n))
