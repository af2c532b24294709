"""Wrong answers to lesson 2's exercises that its tests must reject (tests/test_mutants.py)."""

from tests.mutants import Mutant

MUTANTS = {
    "l2-ex1": [
        Mutant("naive log of the sum of the densities", '''
def log_likelihood(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    dens = np.exp(-(x[:, None] - np.asarray(means)) ** 2 / (2 * sigma2))
    dens = dens / np.sqrt(2 * np.pi * sigma2)
    return float(np.sum(np.log(np.sum(np.asarray(weights) * dens, axis=1))))
'''),
        Mutant("naive log of the sum, with NumPy's warnings silenced", '''
def log_likelihood(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        dens = np.exp(-(x[:, None] - np.asarray(means)) ** 2 / (2 * sigma2))
        dens = dens / np.sqrt(2 * np.pi * sigma2)
        return float(np.sum(np.log(np.sum(np.asarray(weights) * dens, axis=1))))
'''),
        Mutant("the normal constant -log(2 pi sigma2) / 2 left out, as in eq (5)", '''
def log_likelihood(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    a = log_w - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2 * sigma2)
    m = a.max(axis=1, keepdims=True)
    return float(np.sum(m[:, 0] + np.log(np.sum(np.exp(a - m), axis=1))))
'''),
        Mutant("the weights ignored (log pi_k left out)", '''
def log_likelihood(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    a = -0.5 * np.log(2 * np.pi * sigma2) - (x[:, None] - np.asarray(means)) ** 2 / (2 * sigma2)
    m = a.max(axis=1, keepdims=True)
    return float(np.sum(m[:, 0] + np.log(np.sum(np.exp(a - m), axis=1))))
'''),
        Mutant("sigma2 used as the standard deviation (divided by 2 sigma2 squared)", '''
def log_likelihood(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    a = (log_w - np.log(sigma2) - 0.5 * np.log(2 * np.pi)
         - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2 * sigma2**2))
    m = a.max(axis=1, keepdims=True)
    return float(np.sum(m[:, 0] + np.log(np.sum(np.exp(a - m), axis=1))))
'''),
        Mutant("the mean over the points instead of the sum", '''
def log_likelihood(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    d = x[:, None] - np.asarray(means, dtype=float)
    a = log_w - 0.5 * np.log(2 * np.pi * sigma2) - d**2 / (2 * sigma2)
    m = a.max(axis=1, keepdims=True)
    return float(np.mean(m[:, 0] + np.log(np.sum(np.exp(a - m), axis=1))))
'''),
        Mutant("shifted by the maximum of the whole array, not of each point's row", '''
def log_likelihood(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    d = x[:, None] - np.asarray(means, dtype=float)
    a = log_w - 0.5 * np.log(2 * np.pi * sigma2) - d**2 / (2 * sigma2)
    m = a.max()
    with np.errstate(divide="ignore"):
        return float(np.sum(m + np.log(np.sum(np.exp(a - m), axis=1))))
'''),
        Mutant("log of a zero weight without np.errstate (a RuntimeWarning)", '''
def log_likelihood(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    log_w = np.log(np.asarray(weights, dtype=float))
    d = x[:, None] - np.asarray(means, dtype=float)
    a = log_w - 0.5 * np.log(2 * np.pi * sigma2) - d**2 / (2 * sigma2)
    m = a.max(axis=1, keepdims=True)
    return float(np.sum(m[:, 0] + np.log(np.sum(np.exp(a - m), axis=1))))
'''),
        Mutant("a Python loop over the points (right values)", '''
def log_likelihood(x, means, weights, sigma2):
    means = np.asarray(means, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    total = 0.0
    for xi in np.asarray(x, dtype=float):
        a = log_w - 0.5 * np.log(2 * np.pi * sigma2) - (xi - means) ** 2 / (2 * sigma2)
        m = a.max()
        total += m + np.log(np.sum(np.exp(a - m)))
    return float(total)
'''),
        Mutant("shifted by each row's maximum, which is not added back", '''
def log_likelihood(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    a = log_w - 0.5 * np.log(2 * np.pi * sigma2) - (x[:, None] - np.asarray(means)) ** 2 / (
        2 * sigma2)
    m = a.max(axis=1, keepdims=True)
    return float(np.sum(np.log(np.sum(np.exp(a - m), axis=1))))
'''),
        Mutant("the per-point log densities returned, not their sum", '''
def log_likelihood(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    a = log_w - 0.5 * np.log(2 * np.pi * sigma2) - (x[:, None] - np.asarray(means)) ** 2 / (
        2 * sigma2)
    m = a.max(axis=1, keepdims=True)
    return m[:, 0] + np.log(np.sum(np.exp(a - m), axis=1))
'''),
    ],
    "l2-ex2": [
        Mutant("a Python double loop over the grid (right values)", '''
def log_likelihood_grid(x, mu_values, sigma2):
    x = np.asarray(x, dtype=float)
    mu = np.asarray(mu_values, dtype=float)
    out = np.empty((mu.size, mu.size))
    for a in range(mu.size):
        for b in range(mu.size):
            la = np.log(0.5) - 0.5 * np.log(2 * np.pi * sigma2) - (x - mu[a]) ** 2 / (2 * sigma2)
            lb = np.log(0.5) - 0.5 * np.log(2 * np.pi * sigma2) - (x - mu[b]) ** 2 / (2 * sigma2)
            out[a, b] = np.logaddexp(la, lb).sum()
    return out
'''),
        Mutant("the normal constant left out", '''
def log_likelihood_grid(x, mu_values, sigma2):
    x = np.asarray(x, dtype=float)
    mu = np.asarray(mu_values, dtype=float)
    a = np.log(0.5) - (x[None, :] - mu[:, None]) ** 2 / (2 * sigma2)
    return np.logaddexp(a[:, None, :], a[None, :, :]).sum(axis=2)
'''),
        Mutant("the weights 1/2 left out (log 1/2 missing)", '''
def log_likelihood_grid(x, mu_values, sigma2):
    x = np.asarray(x, dtype=float)
    mu = np.asarray(mu_values, dtype=float)
    a = -0.5 * np.log(2 * np.pi * sigma2) - (x[None, :] - mu[:, None]) ** 2 / (2 * sigma2)
    return np.logaddexp(a[:, None, :], a[None, :, :]).sum(axis=2)
'''),
        Mutant("log(exp(a) + exp(b)) instead of np.logaddexp", '''
def log_likelihood_grid(x, mu_values, sigma2):
    x = np.asarray(x, dtype=float)
    mu = np.asarray(mu_values, dtype=float)
    d = 0.5 * np.exp(-(x[None, :] - mu[:, None]) ** 2 / (2 * sigma2))
    d = d / np.sqrt(2 * np.pi * sigma2)
    return np.log(d[:, None, :] + d[None, :, :]).sum(axis=2)
'''),
        Mutant("sigma2 used as the standard deviation", '''
def log_likelihood_grid(x, mu_values, sigma2):
    x = np.asarray(x, dtype=float)
    mu = np.asarray(mu_values, dtype=float)
    a = (np.log(0.5) - 0.5 * np.log(2 * np.pi) - np.log(sigma2)
         - (x[None, :] - mu[:, None]) ** 2 / (2 * sigma2**2))
    return np.logaddexp(a[:, None, :], a[None, :, :]).sum(axis=2)
'''),
        Mutant("the mean over the points instead of the sum", '''
def log_likelihood_grid(x, mu_values, sigma2):
    x = np.asarray(x, dtype=float)
    mu = np.asarray(mu_values, dtype=float)
    a = np.log(0.5) - 0.5 * np.log(2 * np.pi * sigma2) - (x[None, :] - mu[:, None]) ** 2 / (
        2 * sigma2
    )
    return np.logaddexp(a[:, None, :], a[None, :, :]).mean(axis=2)
'''),
        Mutant("both terms from the same grid value: l(mu_a, mu_a) in every column", '''
def log_likelihood_grid(x, mu_values, sigma2):
    x = np.asarray(x, dtype=float)
    mu = np.asarray(mu_values, dtype=float)
    a = np.log(0.5) - 0.5 * np.log(2 * np.pi * sigma2) - (x[None, :] - mu[:, None]) ** 2 / (
        2 * sigma2
    )
    row = np.logaddexp(a, a).sum(axis=1)
    return np.repeat(row[:, None], mu.size, axis=1)
'''),
        Mutant("summed over a grid axis instead of the points", '''
def log_likelihood_grid(x, mu_values, sigma2):
    x = np.asarray(x, dtype=float)
    mu = np.asarray(mu_values, dtype=float)
    a = np.log(0.5) - 0.5 * np.log(2 * np.pi * sigma2) - (x[None, :] - mu[:, None]) ** 2 / (
        2 * sigma2
    )
    return np.logaddexp(a[:, None, :], a[None, :, :]).sum(axis=0)
'''),
        Mutant("log 1/2 added once, not once per point", '''
def log_likelihood_grid(x, mu_values, sigma2):
    x = np.asarray(x, dtype=float)
    mu = np.asarray(mu_values, dtype=float)
    a = -0.5 * np.log(2 * np.pi * sigma2) - (x[None, :] - mu[:, None]) ** 2 / (2 * sigma2)
    return np.logaddexp(a[:, None, :], a[None, :, :]).sum(axis=2) + np.log(0.5)
'''),
        Mutant("the larger of the two terms only (np.maximum for np.logaddexp)", '''
def log_likelihood_grid(x, mu_values, sigma2):
    x = np.asarray(x, dtype=float)
    mu = np.asarray(mu_values, dtype=float)
    a = np.log(0.5) - 0.5 * np.log(2 * np.pi * sigma2) - (x[None, :] - mu[:, None]) ** 2 / (
        2 * sigma2)
    return np.maximum(a[:, None, :], a[None, :, :]).sum(axis=2)
'''),
    ],
}
