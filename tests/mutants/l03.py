"""Wrong answers to lesson 3's exercises that its tests must reject (tests/test_mutants.py)."""

from tests.mutants import Mutant

MUTANTS = {
    "l3-ex1": [
        Mutant("eq (12) taken literally: exp, divide, then log", '''
def log_responsibilities(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    means = np.asarray(means, dtype=float)
    weights = np.asarray(weights, dtype=float)
    numerators = np.exp(-(x[:, None] - means) ** 2 / (2.0 * sigma2)) * weights
    return np.log(numerators / numerators.sum(axis=1, keepdims=True))
'''),
        Mutant("eq (12) taken literally, with NumPy's warnings silenced", '''
def log_responsibilities(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        numerators = np.exp(-(x[:, None] - np.asarray(means)) ** 2 / (2.0 * sigma2)) * weights
        return np.log(numerators / numerators.sum(axis=1, keepdims=True))
'''),
        Mutant("log of the sum of exps without subtracting the maximum", '''
def log_responsibilities(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    a = log_w - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2.0 * sigma2)
    return a - np.log(np.exp(a).sum(axis=1, keepdims=True))
'''),
        Mutant("shift by the maximum of the whole table, not of each row", '''
def log_responsibilities(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    a = log_w - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2.0 * sigma2)
    shifted = a - a.max()
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
'''),
        Mutant("normalised over the points (axis=0) instead of the components", '''
def log_responsibilities(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    a = log_w - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2.0 * sigma2)
    shifted = a - a.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
'''),
        Mutant("log pi_k left out: the weights are ignored", '''
def log_responsibilities(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    a = -(x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2.0 * sigma2)
    shifted = a - a.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
'''),
        Mutant("sigma instead of sigma^2 in the exponent", '''
def log_responsibilities(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    sigma = np.sqrt(sigma2)
    a = log_w - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2.0 * sigma)
    shifted = a - a.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
'''),
        Mutant("the 1/2 of the exponent forgotten", '''
def log_responsibilities(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    a = log_w - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / sigma2
    shifted = a - a.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
'''),
        Mutant("returns the responsibilities, not their logs", '''
def log_responsibilities(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    a = log_w - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2.0 * sigma2)
    shifted = a - a.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)
'''),
        Mutant("log of a zero weight taken without np.errstate: a divide-by-zero warning", '''
def log_responsibilities(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    log_w = np.log(np.asarray(weights, dtype=float))
    a = log_w - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2.0 * sigma2)
    shifted = a - a.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
'''),
        Mutant("right numbers, but a Python loop over the points", '''
def log_responsibilities(x, means, weights, sigma2):
    means = np.asarray(means, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    rows = []
    for xi in np.asarray(x, dtype=float):
        a = log_w - (xi - means) ** 2 / (2.0 * sigma2)
        m = a.max()
        rows.append(a - m - np.log(np.exp(a - m).sum()))
    return np.array(rows).reshape(-1, means.size)
'''),
        Mutant("right numbers, but scipy's log_softmax does the log-sum-exp", '''
def log_responsibilities(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    a = log_w - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2.0 * sigma2)
    return special.log_softmax(a, axis=1)
'''),
        Mutant("right numbers, but scipy's logsumexp, imported inside the function", '''
def log_responsibilities(x, means, weights, sigma2):
    from scipy.special import logsumexp
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    a = log_w - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2.0 * sigma2)
    return a - logsumexp(a, axis=1, keepdims=True)
'''),
        Mutant("a tiny number added to the weights to dodge log 0: no -inf column", '''
def log_responsibilities(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    log_w = np.log(np.asarray(weights, dtype=float) + 1e-300)
    a = log_w - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2.0 * sigma2)
    shifted = a - a.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
'''),
        Mutant("exponents clipped at -700 to avoid the underflow", '''
def log_responsibilities(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    a = np.maximum(log_w - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2.0 * sigma2),
                   -700.0)
    return a - np.log(np.exp(a).sum(axis=1, keepdims=True))
'''),
        Mutant("no np.asarray: x[:, None] fails on a list", '''
def log_responsibilities(x, means, weights, sigma2):
    with np.errstate(divide="ignore"):
        a = np.log(weights) - (x[:, None] - means) ** 2 / (2.0 * sigma2)
    shifted = a - a.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
'''),
        Mutant("row maximum and row sum without keepdims: (n,) against (n, K)", '''
def log_responsibilities(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        log_w = np.log(np.asarray(weights, dtype=float))
    a = log_w - (x[:, None] - np.asarray(means, dtype=float)) ** 2 / (2.0 * sigma2)
    m = a.max(axis=1)
    return a - m - np.log(np.exp(a - m).sum(axis=1))
'''),
    ],
    "l3-ex2": [
        Mutant("argmax of the distance: the farthest mean", '''
def hard_assignments(x, means):
    x = np.asarray(x, dtype=float)
    return np.argmax(np.abs(x[:, None] - np.asarray(means, dtype=float)), axis=1)
'''),
        Mutant("1-based labels, as in the notes' k = 1..K", '''
def hard_assignments(x, means):
    x = np.asarray(x, dtype=float)
    return np.argmin(np.abs(x[:, None] - np.asarray(means, dtype=float)), axis=1) + 1
'''),
        Mutant("x - mu instead of |x - mu|", '''
def hard_assignments(x, means):
    x = np.asarray(x, dtype=float)
    return np.argmin(x[:, None] - np.asarray(means, dtype=float), axis=1)
'''),
        Mutant("assumes sorted means: cuts at the midpoints of consecutive means", '''
def hard_assignments(x, means):
    means = np.asarray(means, dtype=float)
    midpoints = (means[:-1] + means[1:]) / 2
    return np.searchsorted(midpoints, np.asarray(x, dtype=float))
'''),
        Mutant("ties to the higher index", '''
def hard_assignments(x, means):
    x = np.asarray(x, dtype=float)
    means = np.asarray(means, dtype=float)
    reversed_index = np.argmin(np.abs(x[:, None] - means[::-1]), axis=1)
    return means.size - 1 - reversed_index
'''),
        Mutant("one-hot table times the index vector: float labels", '''
def hard_assignments(x, means):
    x = np.asarray(x, dtype=float)
    means = np.asarray(means, dtype=float)
    dist = np.abs(x[:, None] - means)
    one_hot = (np.arange(means.size) == dist.argmin(axis=1)[:, None]).astype(float)
    return one_hot @ np.arange(means.size)
'''),
        Mutant("returns the one-hot table instead of the indices", '''
def hard_assignments(x, means):
    x = np.asarray(x, dtype=float)
    means = np.asarray(means, dtype=float)
    nearest = np.argmin(np.abs(x[:, None] - means), axis=1)
    return (nearest[:, None] == np.arange(means.size)).astype(int)
'''),
        Mutant("right indices, but a list comprehension over the points", '''
def hard_assignments(x, means):
    means = np.asarray(means, dtype=float)
    return np.array([int(np.argmin(np.abs(xi - means))) for xi in np.asarray(x, dtype=float)])
'''),
        Mutant("sorts the means, cuts at the midpoints, maps back: ties go to the lower mean", '''
def hard_assignments(x, means):
    means = np.asarray(means, dtype=float)
    order = np.argsort(means)
    ordered = means[order]
    return order[np.searchsorted((ordered[:-1] + ordered[1:]) / 2, np.asarray(x, dtype=float))]
'''),
        Mutant("x - means without x[:, None]: no (n, K) table", '''
def hard_assignments(x, means):
    return np.argmin(np.abs(np.asarray(x, dtype=float) - np.asarray(means, dtype=float)), axis=0)
'''),
    ],
}
