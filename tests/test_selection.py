"""Choosing K (BIC, parameter counts) and the shipped data sets."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

import emlib
from emlib.widgets import ModelSelectionExplorer


def test_faithful_has_272_eruptions_with_the_published_mean():
    x = emlib.load_faithful()
    assert x.shape == (272,)
    assert x.mean() == pytest.approx(3.487783, abs=1e-6)
    waiting = emlib.load_faithful("waiting")
    assert waiting.shape == (272,) and waiting.mean() == pytest.approx(70.897059, abs=1e-6)
    with pytest.raises(ValueError, match="column must be"):
        emlib.load_faithful("duration")


def test_galaxies_has_82_velocities_with_the_published_mean():
    v = emlib.load_galaxies()
    assert v.shape == (82,)
    assert v.mean() == pytest.approx(20828.17, abs=0.01)
    assert v.min() == 9172 and v.max() == 34279


@pytest.mark.parametrize(("k", "kwargs", "expected"), [
    (3, {}, 3),
    (3, {"learn_weights": True}, 5),
    (3, {"variance_model": "shared"}, 4),
    (3, {"learn_weights": True, "variance_model": "shared"}, 6),
    (4, {"learn_weights": True, "variance_model": "per_component"}, 11),
])
def test_parameter_counts(k, kwargs, expected):
    assert emlib.n_parameters(k, **kwargs) == expected


def test_bic_matches_scikit_learn_on_the_same_fit():
    x, _ = emlib.sample(emlib.MixtureParams([-3.0, 0.0, 4.0], [0.3, 0.4, 0.3], 1.0), 500, 1)
    start = np.array([-2.0, 0.5, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = emlib.fit(x, 3, variance=1.5, means_init=start, learn_weights=True,
                         variance_model="shared", tol=1e-12, max_iter=5000)
        gm = GaussianMixture(3, covariance_type="tied", reg_covar=0.0, init_params="random",
                             weights_init=np.full(3, 1 / 3), means_init=start[:, None],
                             precisions_init=np.array([[1 / 1.5]]), tol=1e-12,
                             max_iter=5000).fit(x[:, None])
    assert ours.n_parameters == gm._n_parameters()
    assert emlib.bic(ours) == pytest.approx(gm.bic(x[:, None]), rel=1e-9)


def test_bic_penalises_what_the_log_likelihood_rewards():
    x, _ = emlib.sample(emlib.MixtureParams([-4.5, -1.5, 1.5, 4.5], variance=0.5), 800, 2)
    fits = [emlib.fit(x, k, means_init=np.quantile(x, (np.arange(k) + 0.5) / k),
                      learn_weights=True, variance_model="shared") for k in range(1, 7)]
    lls = [f.log_likelihood for f in fits]
    # more components fit the training data at least as well (to the fits' tolerance)...
    assert int(np.argmax(lls)) + 1 >= 4 and lls[-1] >= lls[3] - 1e-3 > lls[0]
    # ...but BIC's penalty stops at the true K
    assert int(np.argmin([emlib.bic(f) for f in fits])) + 1 == 4


def test_model_selection_explorer_reports_the_choices_it_plots():
    e = ModelSelectionExplorer(sigma2=1.0, k=4)
    assert e.summary.startswith("σ² = 1: BIC picks K = 4, held-out log-likelihood "
                                "(one-standard-error rule) picks K = 4")
    fits = e.fits(1.0)
    train, test = e.data(1.0)
    r = fits["results"][1]
    np.testing.assert_allclose(e.test_line.get_ydata()[1],
                               emlib.log_likelihood(test, r.params) / e.n)
    assert fits["best_bic"] == int(np.argmin([emlib.bic(f) for f in fits["results"]])) + 1
    e.set(sigma2=4.0)  # heavy overlap: BIC can no longer see four components
    assert e.fits(4.0)["best_bic"] < 4
    assert f"BIC picks K = {e.fits(4.0)['best_bic']}," in e.summary
    before = e.fits(4.0)
    e.view.move = {"positions": {"k": 5}, "request": 1}  # the page moves K to 6: no new fits
    assert e.fits(4.0) is before
    assert sum(line.get_visible() for line in e.lines) == 6
