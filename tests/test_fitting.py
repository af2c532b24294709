"""The EM loop: results, history, convergence, variants and the fast path."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.mixture import GaussianMixture

import emlib
from emlib.mstep import statistics
from emlib.sweep import sweep

from .strategies import datasets

VARIANTS = [
    dict(),
    dict(learn_weights=True),
    dict(variance_model="shared"),
    dict(learn_weights=True, variance_model="shared"),
    dict(variance_model="per_component"),
    dict(learn_weights=True, variance_model="per_component"),
    dict(hard=True),
]


def quiet_fit(*args, **kwargs) -> emlib.FitResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emlib.ConvergenceWarning)
        return emlib.fit(*args, **kwargs)


@pytest.fixture
def separated():
    truth = emlib.MixtureParams([-6.0, 0.0, 7.0], [0.3, 0.4, 0.3], variance=1.0)
    x, z = emlib.sample(truth, 3000, 11)
    return x, z, truth


def test_recovers_the_truth_on_well_separated_data(separated):
    x, z, truth = separated
    result = emlib.fit(x, 3, variance=1.0, weights=truth.weights, seed=0).sorted_by_mean()
    assert result.converged
    # the MLE of each mean is close to the sample mean of its points
    for k in range(3):
        assert result.means[k] == pytest.approx(x[z == k].mean(), abs=0.02)
    assert np.mean(result.labels == z) > 0.999


def test_same_seed_same_fit_and_different_seed_may_differ(separated):
    x, _, _ = separated
    a = emlib.fit(x, 3, variance=1.0, seed=5)
    b = emlib.fit(x, 3, variance=1.0, seed=np.random.default_rng(5))
    np.testing.assert_array_equal(a.means_history, b.means_history)
    np.testing.assert_array_equal(a.log_likelihood_history, b.log_likelihood_history)


def test_history_shapes_and_alignment(separated):
    x, _, truth = separated
    r = emlib.fit(x, 3, variance=1.0, means_init=[-1.0, 0.5, 1.0])
    assert r.means_history.shape == (r.n_iter + 1, 3)
    assert r.log_likelihood_history.shape == (r.n_iter + 1,)
    np.testing.assert_array_equal(r.means_history[0], [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(r.means_history[-1], r.means)
    # entry t of the history is the log-likelihood of theta^(t)
    for t in (0, 1, r.n_iter):
        p = emlib.MixtureParams(r.means_history[t], r.weights_history[t], r.variances_history[t])
        assert r.log_likelihood_history[t] == pytest.approx(emlib.log_likelihood(x, p), rel=1e-10)
    np.testing.assert_allclose(
        r.responsibilities, emlib.responsibilities(x, r.params), rtol=1e-10, atol=1e-300
    )


def test_one_iteration_is_one_e_step_and_one_m_step(sample3, three_components):
    x, _ = sample3
    start = emlib.MixtureParams([-1.0, 0.0, 1.0], three_components.weights, 1.3)
    r = quiet_fit(x, 3, variance=1.3, weights=start.weights, means_init=start.means, max_iter=1)
    expected = emlib.update_means(x, emlib.responsibilities(x, start), start.means)
    np.testing.assert_allclose(r.means, expected, rtol=1e-12)


def test_sorted_by_mean_reorders_everything(separated):
    x, _, _ = separated
    r = emlib.fit(x, 3, variance=1.0, means_init=[7.0, -6.0, 0.0], weights=[0.2, 0.3, 0.5])
    s = r.sorted_by_mean()
    order = np.argsort(r.means)
    np.testing.assert_array_equal(s.means, np.sort(r.means))
    np.testing.assert_array_equal(s.weights, r.weights[order])
    np.testing.assert_array_equal(s.responsibilities, r.responsibilities[:, order])
    np.testing.assert_array_equal(s.means_history, r.means_history[:, order])
    assert s.log_likelihood == r.log_likelihood


def test_iteration_cap_warns_and_reports_not_converged(separated):
    x, _, _ = separated
    with pytest.warns(emlib.ConvergenceWarning, match=r"max_iter=2 iterations.*change") as rec:
        r = emlib.fit(x, 3, variance=1.0, means_init=[-1.0, 0.0, 1.0], max_iter=2)
    assert "Increase max_iter" in str(rec[0].message)
    assert not r.converged and r.n_iter == 2


def test_tolerance_controls_when_it_stops(separated):
    x, _, _ = separated
    loose = emlib.fit(x, 3, variance=1.0, means_init=[-1.0, 0.0, 1.0], tol=1e-2)
    tight = emlib.fit(x, 3, variance=1.0, means_init=[-1.0, 0.0, 1.0], tol=1e-10)
    assert loose.n_iter < tight.n_iter
    changes = np.diff(tight.log_likelihood_history) / x.size
    assert abs(changes[-1]) < 1e-10 and np.all(np.abs(changes[:-1]) >= 1e-10)


def test_the_fast_sweep_equals_the_reference_e_and_m_steps(sample3, three_components):
    x, _ = sample3
    p = emlib.MixtureParams(three_components.means, three_components.weights, [0.5, 1.0, 2.0])
    for chunk in (7, 64, 10_000):
        work = np.empty((3, 3, chunk))
        stats, loglik, resp = sweep(x, p, keep_resp=True, work=work)
        np.testing.assert_allclose(resp, emlib.responsibilities(x, p), rtol=1e-12, atol=1e-300)
        assert loglik == pytest.approx(emlib.log_likelihood(x, p), rel=1e-12)
        ref = statistics(x, emlib.responsibilities(x, p), p.means)
        for name in ("counts", "first", "second"):
            np.testing.assert_allclose(getattr(stats, name), getattr(ref, name), rtol=1e-10)


def test_hard_limit_is_lloyds_kmeans(rng):
    x = np.concatenate([rng.normal(m, 1.0, 200) for m in (-5.0, 0.0, 4.0)])
    start = np.array([-1.0, 0.0, 1.0])
    r = emlib.fit(x, 3, variance=1.0, means_init=start, hard=True)

    centres = start.copy()  # plain Lloyd's algorithm, written out
    for _ in range(100):
        labels = np.argmin(np.abs(x[:, None] - centres), axis=1)
        new = np.array([x[labels == k].mean() if np.any(labels == k) else centres[k]
                        for k in range(3)])
        if np.array_equal(new, centres):
            break
        centres = new
    assert r.converged
    np.testing.assert_allclose(r.means, centres, rtol=1e-12)
    np.testing.assert_array_equal(r.labels, labels)
    np.testing.assert_array_equal(r.responsibilities, emlib.hard_responsibilities(x, r.means))


def test_a_tiny_variance_fit_matches_the_hard_limit(rng):
    x = np.concatenate([rng.normal(m, 1.0, 100) for m in (-5.0, 4.0)])
    soft = emlib.fit(x, 2, variance=1e-8, means_init=[-1.0, 1.0])
    hard = emlib.fit(x, 2, variance=1e-8, means_init=[-1.0, 1.0], hard=True)
    np.testing.assert_allclose(soft.means, hard.means, rtol=1e-10)


def test_an_empty_component_never_divides_by_zero():
    x = np.array([0.0, 0.1, 0.2, 0.3])
    with np.errstate(divide="raise", invalid="raise", over="raise"):
        r = emlib.fit(x, 2, variance=1e-6, means_init=[0.15, 1e3],
                      learn_weights=True, variance_model="per_component")
    assert np.isfinite(r.means).all()
    assert r.means[1] == 1e3 and r.weights[1] == 0.0


def test_per_component_variance_floor_stops_a_collapse():
    # one component starts on an isolated point: without a floor its variance -> 0
    x = np.concatenate([np.random.default_rng(2).normal(0.0, 1.0, 50), [10.0]])
    r = emlib.fit(x, 2, variance=1.0, means_init=[0.0, 10.0],
                  variance_model="per_component", learn_weights=True, variance_floor=1e-4)
    assert r.variances[1] == pytest.approx(1e-4)
    assert np.isfinite(r.log_likelihood)


def test_default_floor_scales_with_the_data():
    x = np.concatenate([np.random.default_rng(2).normal(0.0, 100.0, 50), [1e4]])
    r = emlib.fit(x, 2, means_init=[0.0, 1e4], variance_model="per_component")
    assert r.variances[1] == pytest.approx(1e-6 * np.var(x))


@given(datasets(), st.integers(1, 4), st.integers(0, 2**16), st.sampled_from(VARIANTS))
def test_log_likelihood_never_decreases(x, k, seed, variant):
    k = min(k, x.size)
    r = quiet_fit(x, k, variance=np.var(x) / k + 0.1, seed=seed, max_iter=60, **variant)
    ll = r.log_likelihood_history
    steps = np.diff(ll)
    slack = 1e-9 * np.maximum(np.abs(ll[1:]), 1.0)
    assert np.all(steps >= -slack), (steps.min(), variant)


@given(datasets(min_n=20), st.integers(0, 2**16))
def test_fit_is_invariant_to_permuting_the_start(x, seed):
    rng = np.random.default_rng(seed)
    means = np.sort(rng.choice(x, 3, replace=False))
    weights = np.array([0.2, 0.3, 0.5])
    perm = np.array([2, 0, 1])
    a = quiet_fit(x, 3, variance=1.0, weights=weights, means_init=means, max_iter=30,
                  learn_weights=True, variance_model="shared")
    b = quiet_fit(x, 3, variance=1.0, weights=weights[perm], means_init=means[perm],
                  max_iter=30, learn_weights=True, variance_model="shared")
    np.testing.assert_allclose(b.means, a.means[perm], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(b.weights, a.weights[perm], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("k", [2, 3, 5])
def test_agrees_with_scikit_learn_tied_covariance(k):
    rng = np.random.default_rng(k)
    truth = emlib.MixtureParams(np.arange(k) * 3.0, variance=1.0)
    x, _ = emlib.sample(truth, 1500, rng)
    means0 = truth.means + rng.normal(0.0, 0.7, k)
    weights0 = rng.dirichlet(np.full(k, 5.0))
    var0 = 2.0

    def both(max_iter, tol):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = emlib.fit(x, k, variance=var0, weights=weights0, means_init=means0,
                             learn_weights=True, variance_model="shared",
                             tol=tol, max_iter=max_iter)
            gm = GaussianMixture(
                k, covariance_type="tied", reg_covar=0.0, init_params="random",
                weights_init=weights0, means_init=means0[:, None],
                precisions_init=np.array([[1.0 / var0]]), tol=tol, max_iter=max_iter,
            ).fit(x[:, None])
        return ours, gm

    # iterate by iterate: the same number of steps gives the same parameters
    ours, gm = both(max_iter=25, tol=0.0)
    np.testing.assert_allclose(ours.means, gm.means_[:, 0], atol=1e-10)
    np.testing.assert_allclose(ours.weights, gm.weights_, atol=1e-10)
    assert ours.variance == pytest.approx(gm.covariances_[0, 0], abs=1e-10)

    # and run to convergence, the fitted parameters agree to 1e-6
    ours, gm = both(max_iter=5000, tol=1e-12)
    assert ours.converged and gm.converged_
    np.testing.assert_allclose(ours.means, gm.means_[:, 0], atol=1e-6)
    np.testing.assert_allclose(ours.weights, gm.weights_, atol=1e-6)
    assert ours.variance == pytest.approx(gm.covariances_[0, 0], abs=1e-6)
    assert ours.log_likelihood / x.size == pytest.approx(gm.score(x[:, None]), abs=1e-9)
