"""Wrong answers to lesson 6's exercises that its tests must reject (tests/test_mutants.py)."""

from tests.mutants import Mutant

MUTANTS = {
    "l6-ex1": [
        Mutant("assigns each point to the farthest centre (argmax of the distance)", '''
def lloyd_kmeans(x, centres0, n_iter):
    x = np.asarray(x, dtype=float)
    centres = np.array(centres0, dtype=float)
    k = centres.size
    for _ in range(n_iter):
        labels = np.argmax((x[:, None] - centres) ** 2, axis=1)
        counts = np.bincount(labels, minlength=k)
        sums = np.bincount(labels, weights=x, minlength=k)
        centres = np.where(counts > 0, sums / np.maximum(counts, 1), centres)
    labels = np.argmax((x[:, None] - centres) ** 2, axis=1)
    return centres, labels
'''),
        Mutant("assigns the points once, before the loop, and never again", '''
def lloyd_kmeans(x, centres0, n_iter):
    x = np.asarray(x, dtype=float)
    centres = np.array(centres0, dtype=float)
    k = centres.size
    labels = np.argmin((x[:, None] - centres) ** 2, axis=1)
    for _ in range(n_iter):
        counts = np.bincount(labels, minlength=k)
        sums = np.bincount(labels, weights=x, minlength=k)
        centres = np.where(counts > 0, sums / np.maximum(counts, 1), centres)
    labels = np.argmin((x[:, None] - centres) ** 2, axis=1)
    return centres, labels
'''),
        Mutant("moves every centre to the overall mean of the data", '''
def lloyd_kmeans(x, centres0, n_iter):
    x = np.asarray(x, dtype=float)
    centres = np.array(centres0, dtype=float)
    for _ in range(n_iter):
        labels = np.argmin((x[:, None] - centres) ** 2, axis=1)
        centres = np.full(centres.size, x.mean())
    labels = np.argmin((x[:, None] - centres) ** 2, axis=1)
    return centres, labels
'''),
        Mutant("returns the labels of the last assignment, from before the last centre update", '''
def lloyd_kmeans(x, centres0, n_iter):
    x = np.asarray(x, dtype=float)
    centres = np.array(centres0, dtype=float)
    k = centres.size
    labels = np.argmin((x[:, None] - centres) ** 2, axis=1)
    for _ in range(n_iter):
        labels = np.argmin((x[:, None] - centres) ** 2, axis=1)
        counts = np.bincount(labels, minlength=k)
        sums = np.bincount(labels, weights=x, minlength=k)
        centres = np.where(counts > 0, sums / np.maximum(counts, 1), centres)
    return centres, labels
'''),
        Mutant("divides by the cluster size even when it is 0: an empty centre is NaN", '''
def lloyd_kmeans(x, centres0, n_iter):
    x = np.asarray(x, dtype=float)
    centres = np.array(centres0, dtype=float)
    k = centres.size
    for _ in range(n_iter):
        labels = np.argmin((x[:, None] - centres) ** 2, axis=1)
        counts = np.bincount(labels, minlength=k)
        sums = np.bincount(labels, weights=x, minlength=k)
        centres = sums / counts
    labels = np.argmin((x[:, None] - centres) ** 2, axis=1)
    return centres, labels
'''),
        Mutant("assigns the points in a Python loop over the data (not vectorised)", '''
def lloyd_kmeans(x, centres0, n_iter):
    x = np.asarray(x, dtype=float)
    centres = np.array(centres0, dtype=float)
    k = centres.size

    def assign(c):
        return np.array([int(np.argmin((xi - c) ** 2)) for xi in x], dtype=int)

    for _ in range(n_iter):
        labels = assign(centres)
        for j in range(k):
            if np.any(labels == j):
                centres[j] = x[labels == j].mean()
    return centres, assign(centres)
'''),
        Mutant("sorts the starting centres (the order of centres0 is lost)", '''
def lloyd_kmeans(x, centres0, n_iter):
    x = np.asarray(x, dtype=float)
    centres = np.sort(np.asarray(centres0, dtype=float))
    k = centres.size
    for _ in range(n_iter):
        labels = np.argmin((x[:, None] - centres) ** 2, axis=1)
        counts = np.bincount(labels, minlength=k)
        sums = np.bincount(labels, weights=x, minlength=k)
        centres = np.where(counts > 0, sums / np.maximum(counts, 1), centres)
    labels = np.argmin((x[:, None] - centres) ** 2, axis=1)
    return centres, labels
'''),
        Mutant("updates centres0 in place instead of a copy", '''
def lloyd_kmeans(x, centres0, n_iter):
    x = np.asarray(x, dtype=float)
    centres = centres0
    for _ in range(n_iter):
        labels = np.argmin((x[:, None] - centres) ** 2, axis=1)
        for j in range(centres.size):
            if np.any(labels == j):
                centres[j] = x[labels == j].mean()
    labels = np.argmin((x[:, None] - centres) ** 2, axis=1)
    return centres, labels
'''),
        Mutant("a running minimum over the K centres with <=: ties go to the higher index", '''
def lloyd_kmeans(x, centres0, n_iter):
    x = np.asarray(x, dtype=float)
    centres = np.array(centres0, dtype=float)

    def assign(c):
        best, best_d = np.zeros(x.size, dtype=int), (x - c[0]) ** 2
        for j in range(1, c.size):
            d = (x - c[j]) ** 2
            better = d <= best_d
            best[better], best_d = j, np.where(better, d, best_d)
        return best

    for _ in range(n_iter):
        labels = assign(centres)
        for j in range(centres.size):
            if np.any(labels == j):
                centres[j] = x[labels == j].mean()
    return centres, assign(centres)
'''),
        Mutant("an empty cluster's centre set to 0 (nan_to_num of 0/0)", '''
def lloyd_kmeans(x, centres0, n_iter):
    x = np.asarray(x, dtype=float)
    centres = np.array(centres0, dtype=float)
    k = centres.size
    for _ in range(n_iter):
        labels = np.argmin((x[:, None] - centres) ** 2, axis=1)
        counts = np.bincount(labels, minlength=k)
        sums = np.bincount(labels, weights=x, minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            centres = np.nan_to_num(sums / counts)
    labels = np.argmin((x[:, None] - centres) ** 2, axis=1)
    return centres, labels
'''),
    ],
    "l6-ex2": [
        Mutant("weights N_k / K instead of N_k / n", '''
def m_step_weights_variance(x, resp, means):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    weights = resp.sum(axis=0) / resp.shape[1]
    sigma2 = float(np.sum(resp * (x[:, None] - means) ** 2) / x.size)
    return weights, sigma2
'''),
        Mutant("unnormalised weights N_k", '''
def m_step_weights_variance(x, resp, means):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    weights = resp.sum(axis=0)
    sigma2 = float(np.sum(resp * (x[:, None] - means) ** 2) / x.size)
    return weights, sigma2
'''),
        Mutant("variance about the old means of the lesson (prev.means), not the means given", '''
def m_step_weights_variance(x, resp, means):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    weights = resp.sum(axis=0) / x.size
    sigma2 = float(np.sum(resp * (x[:, None] - prev.means) ** 2) / x.size)
    return weights, sigma2
'''),
        Mutant("re-estimates the means from resp instead of using the means given", '''
def m_step_weights_variance(x, resp, means):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    counts = resp.sum(axis=0)
    mu = resp.T @ x / counts
    sigma2 = float(np.sum(resp * (x[:, None] - mu) ** 2) / x.size)
    return counts / x.size, sigma2
'''),
        Mutant("divides the variance by n - 1", '''
def m_step_weights_variance(x, resp, means):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    weights = resp.sum(axis=0) / x.size
    sigma2 = float(np.sum(resp * (x[:, None] - means) ** 2) / (x.size - 1))
    return weights, sigma2
'''),
        Mutant("divides the variance by K", '''
def m_step_weights_variance(x, resp, means):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    weights = resp.sum(axis=0) / x.size
    sigma2 = float(np.sum(resp * (x[:, None] - means) ** 2) / resp.shape[1])
    return weights, sigma2
'''),
        Mutant("forgets the square", '''
def m_step_weights_variance(x, resp, means):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    weights = resp.sum(axis=0) / x.size
    sigma2 = float(np.sum(resp * (x[:, None] - means)) / x.size)
    return weights, sigma2
'''),
        Mutant("per-component variances S_k / N_k instead of one shared variance", '''
def m_step_weights_variance(x, resp, means):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    counts = resp.sum(axis=0)
    sigma2 = np.sum(resp * (x[:, None] - means) ** 2, axis=0) / counts
    return counts / x.size, sigma2
'''),
        Mutant("the average of the per-component variances as the shared variance", '''
def m_step_weights_variance(x, resp, means):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    counts = resp.sum(axis=0)
    sigma2 = float(np.mean(np.sum(resp * (x[:, None] - means) ** 2, axis=0) / counts))
    return counts / x.size, sigma2
'''),
        Mutant("a Python loop over the points (not vectorised)", '''
def m_step_weights_variance(x, resp, means):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    weights = np.zeros(resp.shape[1])
    total = 0.0
    for i in range(x.size):
        weights += resp[i]
        total += float(np.sum(resp[i] * (x[i] - means) ** 2))
    return weights / x.size, total / x.size
'''),
        Mutant("weights averaged over the wrong axis (one number per point)", '''
def m_step_weights_variance(x, resp, means):
    x = np.asarray(x, dtype=float)
    resp = np.asarray(resp, dtype=float)
    weights = resp.mean(axis=1)
    sigma2 = float(np.sum(resp * (x[:, None] - means) ** 2) / x.size)
    return weights, sigma2
'''),
    ],
}
