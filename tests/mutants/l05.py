"""Wrong answers to lesson 5's exercises that its tests must reject (tests/test_mutants.py)."""

from tests.mutants import Mutant

MUTANTS = {
    "l5-ex1": [
        Mutant("E-step once, before the loop: stale responsibilities", '''
def run_em(x, means0, weights, sigma2, n_iter):
    params = emlib.MixtureParams(np.asarray(means0, dtype=float), weights, sigma2)
    means = [params.means]
    logliks = [emlib.log_likelihood(x, params)]
    resp = emlib.responsibilities(x, params)
    for _ in range(n_iter):
        params = emlib.MixtureParams(emlib.update_means(x, resp, params.means), weights, sigma2)
        means.append(params.means)
        logliks.append(emlib.log_likelihood(x, params))
    return np.array(means), np.array(logliks)
'''),
        Mutant("steps in the wrong order: the E-step uses the means of two iterations ago", '''
def run_em(x, means0, weights, sigma2, n_iter):
    params = emlib.MixtureParams(np.asarray(means0, dtype=float), weights, sigma2)
    means = [params.means]
    logliks = [emlib.log_likelihood(x, params)]
    resp = emlib.responsibilities(x, params)
    for _ in range(n_iter):
        new = emlib.MixtureParams(emlib.update_means(x, resp, params.means), weights, sigma2)
        resp = emlib.responsibilities(x, params)
        params = new
        means.append(params.means)
        logliks.append(emlib.log_likelihood(x, params))
    return np.array(means), np.array(logliks)
'''),
        Mutant("responsibilities not normalised: the numerators of (12) only", '''
def run_em(x, means0, weights, sigma2, n_iter):
    x = np.asarray(x, dtype=float)
    w = np.asarray(weights, dtype=float)
    mu = np.asarray(means0, dtype=float)
    means = [mu]
    logliks = [emlib.log_likelihood(x, emlib.MixtureParams(mu, w, sigma2))]
    for _ in range(n_iter):
        resp = w * np.exp(-(x[:, None] - mu) ** 2 / (2 * sigma2))
        mu = (resp * x[:, None]).sum(axis=0) / resp.sum(axis=0)
        means.append(mu)
        logliks.append(emlib.log_likelihood(x, emlib.MixtureParams(mu, w, sigma2)))
    return np.array(means), np.array(logliks)
'''),
        Mutant("responsibilities normalised over the points (axis 0) instead of the components", '''
def run_em(x, means0, weights, sigma2, n_iter):
    x = np.asarray(x, dtype=float)
    w = np.asarray(weights, dtype=float)
    mu = np.asarray(means0, dtype=float)
    means = [mu]
    logliks = [emlib.log_likelihood(x, emlib.MixtureParams(mu, w, sigma2))]
    for _ in range(n_iter):
        log_joint = np.log(w) - (x[:, None] - mu) ** 2 / (2 * sigma2)
        resp = np.exp(log_joint - log_joint.max(axis=0))
        resp /= resp.sum(axis=0)
        mu = (resp * x[:, None]).sum(axis=0) / resp.sum(axis=0)
        means.append(mu)
        logliks.append(emlib.log_likelihood(x, emlib.MixtureParams(mu, w, sigma2)))
    return np.array(means), np.array(logliks)
'''),
        Mutant("history without the start: n_iter rows instead of n_iter + 1", '''
def run_em(x, means0, weights, sigma2, n_iter):
    params = emlib.MixtureParams(np.asarray(means0, dtype=float), weights, sigma2)
    means, logliks = [], []
    for _ in range(n_iter):
        resp = emlib.responsibilities(x, params)
        params = emlib.MixtureParams(emlib.update_means(x, resp, params.means), weights, sigma2)
        means.append(params.means)
        logliks.append(emlib.log_likelihood(x, params))
    return np.array(means), np.array(logliks)
'''),
        Mutant("one iteration too many: range(n_iter + 1)", '''
def run_em(x, means0, weights, sigma2, n_iter):
    params = emlib.MixtureParams(np.asarray(means0, dtype=float), weights, sigma2)
    means = [params.means]
    logliks = [emlib.log_likelihood(x, params)]
    for _ in range(n_iter + 1):
        resp = emlib.responsibilities(x, params)
        params = emlib.MixtureParams(emlib.update_means(x, resp, params.means), weights, sigma2)
        means.append(params.means)
        logliks.append(emlib.log_likelihood(x, params))
    return np.array(means), np.array(logliks)
'''),
        Mutant("log-likelihood recorded before the M-step: it lags one iteration", '''
def run_em(x, means0, weights, sigma2, n_iter):
    params = emlib.MixtureParams(np.asarray(means0, dtype=float), weights, sigma2)
    means = [params.means]
    logliks = [emlib.log_likelihood(x, params)]
    for _ in range(n_iter):
        resp = emlib.responsibilities(x, params)
        logliks.append(emlib.log_likelihood(x, params))
        params = emlib.MixtureParams(emlib.update_means(x, resp, params.means), weights, sigma2)
        means.append(params.means)
    return np.array(means), np.array(logliks)
'''),
        Mutant("weights ignored: the E-step uses equal weights", '''
def run_em(x, means0, weights, sigma2, n_iter):
    params = emlib.MixtureParams(np.asarray(means0, dtype=float), weights, sigma2)
    means = [params.means]
    logliks = [emlib.log_likelihood(x, params)]
    for _ in range(n_iter):
        resp = emlib.responsibilities(x, emlib.MixtureParams(params.means, variance=sigma2))
        params = emlib.MixtureParams(emlib.update_means(x, resp, params.means), weights, sigma2)
        means.append(params.means)
        logliks.append(emlib.log_likelihood(x, params))
    return np.array(means), np.array(logliks)
'''),
        Mutant("eq (12) taken literally: underflows to 0/0 for small sigma^2", '''
def run_em(x, means0, weights, sigma2, n_iter):
    x = np.asarray(x, dtype=float)
    w = np.asarray(weights, dtype=float)
    mu = np.asarray(means0, dtype=float)
    means = [mu]
    logliks = [emlib.log_likelihood(x, emlib.MixtureParams(mu, w, sigma2))]
    for _ in range(n_iter):
        num = w * np.exp(-(x[:, None] - mu) ** 2 / (2 * sigma2))
        resp = num / num.sum(axis=1, keepdims=True)
        mu = (resp * x[:, None]).sum(axis=0) / resp.sum(axis=0)
        means.append(mu)
        logliks.append(emlib.log_likelihood(x, emlib.MixtureParams(mu, w, sigma2)))
    return np.array(means), np.array(logliks)
'''),
        Mutant("log-likelihood without the normal constants (eq (5))", '''
def run_em(x, means0, weights, sigma2, n_iter):
    params = emlib.MixtureParams(np.asarray(means0, dtype=float), weights, sigma2)
    means = [params.means]
    logliks = [emlib.log_likelihood_kernel(x, params)]
    for _ in range(n_iter):
        resp = emlib.responsibilities(x, params)
        params = emlib.MixtureParams(emlib.update_means(x, resp, params.means), weights, sigma2)
        means.append(params.means)
        logliks.append(emlib.log_likelihood_kernel(x, params))
    return np.array(means), np.array(logliks)
'''),
        Mutant("calls emlib.fit instead of writing the loop", '''
def run_em(x, means0, weights, sigma2, n_iter):
    params = emlib.MixtureParams(np.asarray(means0, dtype=float), weights, sigma2)
    if n_iter == 0:
        return params.means[None, :], np.array([emlib.log_likelihood(x, params)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emlib.ConvergenceWarning)
        result = emlib.fit(x, params.n_components, variance=sigma2, weights=weights,
                           means_init=params.means, tol=0.0, max_iter=n_iter)
    return result.means_history, result.log_likelihood_history
'''),
        Mutant("sigma2 used as the standard deviation in the E-step (scale=sigma2)", '''
def run_em(x, means0, weights, sigma2, n_iter):
    x = np.asarray(x, dtype=float)
    mu = np.asarray(means0, dtype=float)
    means = [mu]
    logliks = [emlib.log_likelihood(x, emlib.MixtureParams(mu, weights, sigma2))]
    for _ in range(n_iter):
        log_joint = np.log(weights) + stats.norm.logpdf(x[:, None], loc=mu, scale=sigma2)
        resp = special.softmax(log_joint, axis=1)
        mu = resp.T @ x / resp.sum(axis=0)
        means.append(mu)
        logliks.append(emlib.log_likelihood(x, emlib.MixtureParams(mu, weights, sigma2)))
    return np.array(means), np.array(logliks)
'''),
        Mutant("log-likelihood by scipy with sigma2 as the standard deviation", '''
def run_em(x, means0, weights, sigma2, n_iter):
    x = np.asarray(x, dtype=float)

    def loglik(mu):
        log_joint = np.log(weights) + stats.norm.logpdf(x[:, None], loc=mu, scale=sigma2)
        return float(np.sum(special.logsumexp(log_joint, axis=1)))

    params = emlib.MixtureParams(np.asarray(means0, dtype=float), weights, sigma2)
    means = [params.means]
    logliks = [loglik(params.means)]
    for _ in range(n_iter):
        resp = emlib.responsibilities(x, params)
        params = emlib.MixtureParams(emlib.update_means(x, resp, params.means), weights, sigma2)
        means.append(params.means)
        logliks.append(loglik(params.means))
    return np.array(means), np.array(logliks)
'''),
        Mutant("every row of the history is one array, updated in place", '''
def run_em(x, means0, weights, sigma2, n_iter):
    mu = np.array(means0, dtype=float)
    means = [mu]
    logliks = [emlib.log_likelihood(x, emlib.MixtureParams(mu, weights, sigma2))]
    for _ in range(n_iter):
        resp = emlib.responsibilities(x, emlib.MixtureParams(mu, weights, sigma2))
        mu[:] = emlib.update_means(x, resp, mu)
        means.append(mu)
        logliks.append(emlib.log_likelihood(x, emlib.MixtureParams(mu, weights, sigma2)))
    return np.array(means), np.array(logliks)
'''),
        Mutant("emlib.fit imported under its own name", '''
from emlib import fit


def run_em(x, means0, weights, sigma2, n_iter):
    params = emlib.MixtureParams(np.asarray(means0, dtype=float), weights, sigma2)
    if n_iter == 0:
        return params.means[None, :], np.array([emlib.log_likelihood(x, params)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emlib.ConvergenceWarning)
        result = fit(x, params.n_components, variance=sigma2, weights=weights,
                     means_init=params.means, tol=0.0, max_iter=n_iter)
    return result.means_history, result.log_likelihood_history
'''),
    ],
    "l5-ex2": [
        Mutant("the first seed's fit", '''
def best_of_restarts(x, k, sigma2, seeds):
    fits = [emlib.fit(x, k, variance=sigma2, seed=s) for s in seeds]
    return fits[0].sorted_by_mean()
'''),
        Mutant("the worst fit: min instead of max", '''
def best_of_restarts(x, k, sigma2, seeds):
    fits = [emlib.fit(x, k, variance=sigma2, seed=s) for s in seeds]
    return min(fits, key=lambda r: r.log_likelihood).sorted_by_mean()
'''),
        Mutant("the last seed's fit (overwritten in the loop)", '''
def best_of_restarts(x, k, sigma2, seeds):
    for s in seeds:
        result = emlib.fit(x, k, variance=sigma2, seed=s)
    return result.sorted_by_mean()
'''),
        Mutant("best by the number of iterations: the quickest to converge", '''
def best_of_restarts(x, k, sigma2, seeds):
    fits = [emlib.fit(x, k, variance=sigma2, seed=s) for s in seeds]
    return min(fits, key=lambda r: r.n_iter).sorted_by_mean()
'''),
        Mutant("best by the number of iterations: the one that ran longest", '''
def best_of_restarts(x, k, sigma2, seeds):
    fits = [emlib.fit(x, k, variance=sigma2, seed=s) for s in seeds]
    return max(fits, key=lambda r: r.n_iter).sorted_by_mean()
'''),
        Mutant("sign error: the log-likelihood closest to 0 (smallest |l|)", '''
def best_of_restarts(x, k, sigma2, seeds):
    fits = [emlib.fit(x, k, variance=sigma2, seed=s) for s in seeds]
    return min(fits, key=lambda r: abs(r.log_likelihood)).sorted_by_mean()
'''),
        Mutant("ignores the seeds argument: seeds 0, 1, ..., len(seeds) - 1", '''
def best_of_restarts(x, k, sigma2, seeds):
    fits = [emlib.fit(x, k, variance=sigma2, seed=s) for s in range(len(seeds))]
    return max(fits, key=lambda r: r.log_likelihood).sorted_by_mean()
'''),
        Mutant("returns the parameters, not the FitResult", '''
def best_of_restarts(x, k, sigma2, seeds):
    fits = [emlib.fit(x, k, variance=sigma2, seed=s) for s in seeds]
    return max(fits, key=lambda r: r.log_likelihood).sorted_by_mean().params
'''),
        Mutant("running best started at 0: never replaced when every log-likelihood is < 0", '''
def best_of_restarts(x, k, sigma2, seeds):
    best, best_ll = None, 0.0
    for s in seeds:
        result = emlib.fit(x, k, variance=sigma2, seed=s)
        if result.log_likelihood > best_ll:
            best, best_ll = result, result.log_likelihood
    return best.sorted_by_mean()
'''),
        Mutant("compares the starts: the highest log-likelihood at iteration 0", '''
def best_of_restarts(x, k, sigma2, seeds):
    fits = [emlib.fit(x, k, variance=sigma2, seed=s) for s in seeds]
    return max(fits, key=lambda r: r.log_likelihood_history[0]).sorted_by_mean()
'''),
    ],
}
