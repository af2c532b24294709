"""Wrong answers to lesson 4's exercises that its tests must reject (tests/test_mutants.py)."""
from tests.mutants import Mutant

MUTANTS = {
    "l4-ex1": [
        Mutant("unnormalised weighted sum: sum_i R_ik x_i, not divided by N_k", '''
def m_step_means(x, resp):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    return resp.T @ x
'''),
        Mutant("weights normalised over the components (rows) instead of the points", '''
def m_step_means(x, resp):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    w = resp / resp.sum(axis=1, keepdims=True)
    return w.T @ x
'''),
        Mutant("divides by n instead of N_k", '''
def m_step_means(x, resp):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    return (resp.T @ x) / x.size
'''),
        Mutant("plain mean of x, ignoring the responsibilities", '''
def m_step_means(x, resp):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    return np.full(resp.shape[1], x.mean())
'''),
        Mutant("sums over the wrong axis (components instead of points): R treated as (K, n)", '''
def m_step_means(x, resp):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    return (resp * x[:, None]).sum(axis=1) / resp.sum(axis=1)
'''),
        Mutant("off by one: row i of resp paired with x[i - 1]", '''
def m_step_means(x, resp):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    return (resp[1:].T @ x[:-1]) / resp[1:].sum(axis=0)
'''),
        Mutant("right values, but a Python loop over the points where vectorised code is asked", '''
def m_step_means(x, resp):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    num = np.zeros(resp.shape[1])
    den = np.zeros(resp.shape[1])
    for i in range(x.size):
        num += resp[i] * x[i]
        den += resp[i]
    return num / den
'''),
        Mutant("right values, but a comprehension over the components", '''
def m_step_means(x, resp):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    return np.array([np.sum(resp[:, k] * x) / np.sum(resp[:, k]) for k in range(resp.shape[1])])
'''),
        Mutant("uses the lesson's R instead of the argument resp", '''
def m_step_means(x, resp):
    return (R.T @ x) / R.sum(axis=0)
'''),
        Mutant("the mixing weights N_k / n instead of the means", '''
def m_step_means(x, resp):
    resp = np.asarray(resp, dtype=float)
    return resp.sum(axis=0) / resp.shape[0]
'''),
    ],
    "l4-ex2": [
        Mutant("missing the normal constant -(n/2) log(2 pi sigma^2)", '''
def q_value(x, resp, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    terms = log_w - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2 * sigma2)
    return float(np.sum(resp * np.where(resp > 0, terms, 0.0)))
'''),
        Mutant("missing the log pi_k terms", '''
def q_value(x, resp, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    terms = -0.5 * np.log(2 * np.pi * sigma2) - (x[:, None] - np.asarray(means)) ** 2 / (2 * sigma2)
    return float(np.sum(resp * terms))
'''),
        Mutant("evaluates the squares at the old means theta' (params_prev) instead of `means`", '''
def q_value(x, resp, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    old = params_prev.means
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    terms = log_w - 0.5 * np.log(2 * np.pi * sigma2) - (x[:, None] - old) ** 2 / (2 * sigma2)
    return float(np.sum(resp * np.where(resp > 0, terms, 0.0)))
'''),
        Mutant("sign error: + (x - mu)^2 / (2 sigma^2)", '''
def q_value(x, resp, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    terms = (log_w - 0.5 * np.log(2 * np.pi * sigma2)
             + (x[:, None] - np.asarray(means)) ** 2 / (2 * sigma2))
    return float(np.sum(resp * np.where(resp > 0, terms, 0.0)))
'''),
        Mutant("adds the sum of R log R (the entropy term) to Q", '''
def q_value(x, resp, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
        log_r = np.log(resp)
    terms = (log_w - 0.5 * np.log(2 * np.pi * sigma2)
             - (x[:, None] - np.asarray(means)) ** 2 / (2 * sigma2))
    return float(np.sum(resp * np.where(resp > 0, terms + log_r, 0.0)))
'''),
        Mutant("recomputes the responsibilities at the candidate means instead of using resp", '''
def q_value(x, resp, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    cand = emlib.MixtureParams(means, weights, sigma2)
    resp = emlib.responsibilities(x, cand)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    terms = (log_w - 0.5 * np.log(2 * np.pi * sigma2)
             - (x[:, None] - np.asarray(means)) ** 2 / (2 * sigma2))
    return float(np.sum(resp * np.where(resp > 0, terms, 0.0)))
'''),
        Mutant("sigma2 taken for sigma: squares divided by 2 sigma2^2, log(2 pi sigma2^2)", '''
def q_value(x, resp, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    var = sigma2 ** 2
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    terms = (log_w - 0.5 * np.log(2 * np.pi * var)
             - (x[:, None] - np.asarray(means)) ** 2 / (2 * var))
    return float(np.sum(resp * np.where(resp > 0, terms, 0.0)))
'''),
        Mutant("naive 0 * log 0: a weight pi_k = 0 gives a warning and nan", '''
def q_value(x, resp, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    terms = (np.log(weights) - 0.5 * np.log(2 * np.pi * sigma2)
             - (x[:, None] - np.asarray(means)) ** 2 / (2 * sigma2))
    return float(np.sum(resp * terms))
'''),
        Mutant("returns the per-component sums, an array, instead of one float", '''
def q_value(x, resp, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    terms = (log_w - 0.5 * np.log(2 * np.pi * sigma2)
             - (x[:, None] - np.asarray(means)) ** 2 / (2 * sigma2))
    return np.sum(resp * np.where(resp > 0, terms, 0.0), axis=0)
'''),
        Mutant("the normal constant counted once, not once per point", '''
def q_value(x, resp, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    terms = log_w - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2 * sigma2)
    return float(np.sum(resp * np.where(resp > 0, terms, 0.0)) - 0.5 * np.log(2 * np.pi * sigma2))
'''),
        Mutant("the average over the points instead of the sum", '''
def q_value(x, resp, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    terms = log_w - 0.5 * np.log(2 * np.pi * sigma2) - (x[:, None] - np.asarray(means)) ** 2 / (
        2 * sigma2)
    return float(np.sum(resp * np.where(resp > 0, terms, 0.0)) / x.size)
'''),
        Mutant("zero terms masked after multiplying: 0 * -inf is evaluated", '''
def q_value(x, resp, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    terms = log_w - 0.5 * np.log(2 * np.pi * sigma2) - (x[:, None] - np.asarray(means)) ** 2 / (
        2 * sigma2)
    return float(np.sum(np.where(resp > 0, resp * terms, 0.0)))
'''),
    ],
}
