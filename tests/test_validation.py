"""Every bad input raises an error that names the argument and its valid range."""

from __future__ import annotations

import numpy as np
import pytest

import emlib

X = np.linspace(-3.0, 3.0, 20)


def fit(x=X, k=2, **kwargs):
    kwargs.setdefault("variance", 1.0)
    kwargs.setdefault("seed", 0)
    return emlib.fit(x, k, **kwargs)


BAD_FITS = [
    # (arguments, error type, pattern the message must contain)
    (dict(x=[]), ValueError, r"x must hold at least one observation"),
    (dict(x=np.ones((10, 2))), ValueError, r"x must be 1-D.*\(10, 2\)"),
    (dict(x=[[1.0], [2.0]]), ValueError, r"x must be 1-D"),
    (dict(x=[1.0, np.nan, 2.0]), ValueError, r"x must be finite.*index 1"),
    (dict(x=[1.0, np.inf, 2.0]), ValueError, r"x must be finite"),
    (dict(x=["a", "b", "c"]), TypeError, r"x must be an array of real numbers"),
    (dict(x=[1 + 2j, 3j]), TypeError, r"x must be an array of real numbers"),
    (dict(x=[None, 1.0]), TypeError, r"x must be an array of real numbers"),
    (dict(k=0), ValueError, r"n_components must be an integer >= 1; got 0"),
    (dict(k=-2), ValueError, r"n_components must be an integer >= 1"),
    (dict(k=2.5), TypeError, r"n_components must be an integer"),
    (dict(k=2.0), TypeError, r"n_components must be an integer"),
    (dict(k=True), TypeError, r"n_components must be an integer"),
    (dict(k=21), ValueError, r"n_components must be between 1 and the number of observations"),
    (dict(variance=0.0), ValueError, r"variance must be > 0"),
    (dict(variance=-1.0), ValueError, r"variance must be > 0"),
    (dict(variance=np.nan), ValueError, r"variance must be finite"),
    (dict(variance=np.inf), ValueError, r"variance must be finite"),
    (dict(variance="1"), TypeError, r"variance must be a real number"),
    (dict(variance=[1.0, 2.0, 3.0]), ValueError, r"variance must have shape \(2,\)"),
    (dict(variance=None), ValueError, r"variance must be given"),
    (dict(weights=[-0.5, 1.5]), ValueError, r"weights must be non-negative"),
    (dict(weights=[0.5, 0.3]), ValueError, r"weights must sum to 1"),
    (dict(weights=[1.0]), ValueError, r"weights must have shape \(2,\)"),
    (dict(weights=[0.5, np.nan]), ValueError, r"weights must be finite"),
    (dict(means_init=[0.0]), ValueError, r"means_init must have shape \(2,\)"),
    (dict(means_init=[[0.0, 1.0]]), ValueError, r"means_init must have shape \(2,\)"),
    (dict(means_init=[0.0, np.inf]), ValueError, r"means_init must be finite"),
    (dict(means_init=[0.0, np.nan]), ValueError, r"means_init must be finite"),
    (dict(max_iter=0), ValueError, r"max_iter must be an integer >= 1; got 0"),
    (dict(max_iter=10.0), TypeError, r"max_iter must be an integer"),
    (dict(tol=-1e-3), ValueError, r"tol must be >= 0"),
    (dict(tol=np.nan), ValueError, r"tol must be finite"),
    (dict(tol="small"), TypeError, r"tol must be a real number"),
    (dict(variance_model="free"), ValueError, r"variance_model must be one of"),
    (dict(variance_floor=0.0, variance_model="shared"), ValueError, r"variance_floor must be > 0"),
    (dict(hard=True, learn_weights=True), ValueError, r"hard=True .* learn_weights=False"),
    (dict(hard=True, variance_model="shared"), ValueError, r"hard=True .* variance_model='known'"),
    (dict(seed=-1), TypeError, r"seed must be None, a non-negative integer"),
    (dict(seed="abc"), TypeError, r"seed must be None"),
]


@pytest.mark.parametrize(("kwargs", "error", "pattern"), BAD_FITS,
                         ids=[str(sorted(b[0])) + f"-{i}" for i, b in enumerate(BAD_FITS)])
def test_fit_rejects_bad_input(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        fit(**kwargs)


BAD_PARAMS = [
    (dict(means=[]), ValueError, r"means must be a non-empty 1-D array"),
    (dict(means=[[0.0, 1.0]]), ValueError, r"means must be a non-empty 1-D array"),
    (dict(means=[0.0, np.nan]), ValueError, r"means must be finite"),
    (dict(means=[0.0, 1.0], weights=[0.7, 0.7]), ValueError, r"weights must sum to 1"),
    (dict(means=[0.0, 1.0], weights=[1.2, -0.2]), ValueError, r"weights must be non-negative"),
    (dict(means=[0.0, 1.0], variance=0.0), ValueError, r"variance must be > 0"),
    (dict(means=[0.0, 1.0], variance=[1.0, -1.0]), ValueError, r"variance must be > 0"),
    (dict(means=[0.0, 1.0], variance=np.nan), ValueError, r"variance must be finite"),
]


@pytest.mark.parametrize(("kwargs", "error", "pattern"), BAD_PARAMS)
def test_params_reject_bad_input(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        emlib.MixtureParams(**kwargs)


def test_weights_within_rounding_of_one_are_accepted_and_renormalised():
    p = emlib.MixtureParams([0.0, 1.0, 2.0], weights=[1 / 3, 1 / 3, 1 / 3 + 1e-10])
    assert p.weights.sum() == pytest.approx(1.0, abs=1e-15)


def test_public_functions_validate_their_data():
    p = emlib.MixtureParams([0.0, 1.0])
    for func in (emlib.responsibilities, emlib.log_likelihood, emlib.mixture_pdf,
                 emlib.component_pdf, emlib.log_joint):
        with pytest.raises(ValueError, match="x must be finite"):
            func([0.0, np.nan], p)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        emlib.sample(p, 0)
    with pytest.raises(TypeError, match="rng must be None"):
        emlib.sample(p, 5, rng="seed")


def test_m_step_functions_validate_the_responsibilities():
    x = np.array([0.0, 1.0])
    with pytest.raises(ValueError, match=r"resp must have shape \(n, K\) = \(2, 2\)"):
        emlib.update_means(x, np.ones((3, 2)) / 2, [0.0, 1.0])
    with pytest.raises(ValueError, match="resp rows must sum to 1"):
        emlib.update_means(x, np.ones((2, 2)), [0.0, 1.0])
    with pytest.raises(ValueError, match=r"resp must hold probabilities"):
        emlib.update_weights([[1.5, -0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="floor must be > 0"):
        emlib.update_variances(x, np.eye(2), [0.0, 1.0], [1.0, 1.0], floor=0.0)
    with pytest.raises(ValueError, match="variance_model must be one of"):
        emlib.m_step(x, np.eye(2), emlib.MixtureParams([0.0, 1.0]), variance_model="x")
