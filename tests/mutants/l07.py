"""Wrong answers to lesson 7's exercises that its tests must reject (tests/test_mutants.py)."""
from tests.mutants import Mutant

MUTANTS = {
    "l7-ex1": [
        Mutant("the first seed's fit instead of the highest-likelihood one", '''
def best_bic_per_k(x, ks, seeds, variance_model):
    out = []
    for k in ks:
        fits = [emlib.fit(x, k, learn_weights=True, variance_model=variance_model, seed=s)
                for s in seeds]
        out.append(emlib.bic(fits[0]))
    return np.array(out)
'''),
        Mutant("the last seed's fit (the loop variable left over)", '''
def best_bic_per_k(x, ks, seeds, variance_model):
    out = []
    for k in ks:
        for s in seeds:
            result = emlib.fit(x, k, learn_weights=True, variance_model=variance_model, seed=s)
        out.append(emlib.bic(result))
    return np.array(out)
'''),
        Mutant("the lowest log-likelihood (min instead of max)", '''
def best_bic_per_k(x, ks, seeds, variance_model):
    out = []
    for k in ks:
        fits = [emlib.fit(x, k, learn_weights=True, variance_model=variance_model, seed=s)
                for s in seeds]
        out.append(emlib.bic(min(fits, key=lambda r: r.log_likelihood)))
    return np.array(out)
'''),
        Mutant("BIC by hand with K free weights (forgetting that they sum to one)", '''
def best_bic_per_k(x, ks, seeds, variance_model):
    out = []
    for k in ks:
        fits = [emlib.fit(x, k, learn_weights=True, variance_model=variance_model, seed=s)
                for s in seeds]
        best = max(fits, key=lambda r: r.log_likelihood)
        p = k + k + (k if variance_model == "per_component" else 1)
        out.append(-2 * best.log_likelihood + p * np.log(x.size))
    return np.array(out)
'''),
        Mutant("BIC by hand without the weights in the parameter count", '''
def best_bic_per_k(x, ks, seeds, variance_model):
    out = []
    for k in ks:
        fits = [emlib.fit(x, k, learn_weights=True, variance_model=variance_model, seed=s)
                for s in seeds]
        best = max(fits, key=lambda r: r.log_likelihood)
        p = k + (k if variance_model == "per_component" else 1)
        out.append(-2 * best.log_likelihood + p * np.log(x.size))
    return np.array(out)
'''),
        Mutant("log K instead of log n in the penalty", '''
def best_bic_per_k(x, ks, seeds, variance_model):
    out = []
    for k in ks:
        fits = [emlib.fit(x, k, learn_weights=True, variance_model=variance_model, seed=s)
                for s in seeds]
        best = max(fits, key=lambda r: r.log_likelihood)
        out.append(-2 * best.log_likelihood + best.n_parameters * np.log(k))
    return np.array(out)
'''),
        Mutant("the sign of the log-likelihood term", '''
def best_bic_per_k(x, ks, seeds, variance_model):
    out = []
    for k in ks:
        fits = [emlib.fit(x, k, learn_weights=True, variance_model=variance_model, seed=s)
                for s in seeds]
        best = max(fits, key=lambda r: r.log_likelihood)
        out.append(2 * best.log_likelihood + best.n_parameters * np.log(x.size))
    return np.array(out)
'''),
        Mutant("AIC instead of BIC", '''
def best_bic_per_k(x, ks, seeds, variance_model):
    out = []
    for k in ks:
        fits = [emlib.fit(x, k, learn_weights=True, variance_model=variance_model, seed=s)
                for s in seeds]
        best = max(fits, key=lambda r: r.log_likelihood)
        out.append(-2 * best.log_likelihood + 2 * best.n_parameters)
    return np.array(out)
'''),
        Mutant("the values in increasing order of K, not in the order of ks", '''
def best_bic_per_k(x, ks, seeds, variance_model):
    out = []
    for k in sorted(ks):
        fits = [emlib.fit(x, k, learn_weights=True, variance_model=variance_model, seed=s)
                for s in seeds]
        out.append(emlib.bic(max(fits, key=lambda r: r.log_likelihood)))
    return np.array(out)
'''),
        Mutant("learn_weights forgotten: the weights stay uniform", '''
def best_bic_per_k(x, ks, seeds, variance_model):
    out = []
    for k in ks:
        fits = [emlib.fit(x, k, variance_model=variance_model, seed=s) for s in seeds]
        out.append(emlib.bic(max(fits, key=lambda r: r.log_likelihood)))
    return np.array(out)
'''),
        Mutant("a list instead of a NumPy array", '''
def best_bic_per_k(x, ks, seeds, variance_model):
    out = []
    for k in ks:
        fits = [emlib.fit(x, k, learn_weights=True, variance_model=variance_model, seed=s)
                for s in seeds]
        out.append(emlib.bic(max(fits, key=lambda r: r.log_likelihood)))
    return out
'''),
    ],
    "l7-ex2": [
        Mutant("rows in the fit's order, not sorted by mean", '''
def cluster_summary(x, result):
    k = result.means.size
    counts = np.bincount(result.labels, minlength=k)
    return np.column_stack([result.means, np.sqrt(result.variances), result.weights,
                            counts]).astype(float)
'''),
        Mutant("the variance instead of the standard deviation", '''
def cluster_summary(x, result):
    k = result.means.size
    counts = np.bincount(result.labels, minlength=k)
    order = np.argsort(result.means)
    return np.column_stack([result.means[order], result.variances[order],
                            result.weights[order], counts[order]]).astype(float)
'''),
        Mutant("expected counts N_k = sum_i R_ik instead of hard counts", '''
def cluster_summary(x, result):
    counts = result.responsibilities.sum(axis=0)
    order = np.argsort(result.means)
    return np.column_stack([result.means[order], np.sqrt(result.variances[order]),
                            result.weights[order], counts[order]])
'''),
        Mutant("counts not reordered with the other columns", '''
def cluster_summary(x, result):
    k = result.means.size
    counts = np.bincount(result.labels, minlength=k)
    order = np.argsort(result.means)
    return np.column_stack([result.means[order], np.sqrt(result.variances[order]),
                            result.weights[order], counts]).astype(float)
'''),
        Mutant("each column sorted on its own", '''
def cluster_summary(x, result):
    k = result.means.size
    counts = np.bincount(result.labels, minlength=k)
    table = np.column_stack([result.means, np.sqrt(result.variances), result.weights,
                             counts]).astype(float)
    return np.sort(table, axis=0)
'''),
        Mutant("weights as the share of points labelled k, not the fitted weights", '''
def cluster_summary(x, result):
    k = result.means.size
    counts = np.bincount(result.labels, minlength=k)
    order = np.argsort(result.means)
    return np.column_stack([result.means[order], np.sqrt(result.variances[order]),
                            counts[order] / x.size, counts[order]]).astype(float)
'''),
        Mutant("means and sds recomputed from the points labelled k", '''
def cluster_summary(x, result):
    k = result.means.size
    labels = result.labels
    means = np.array([x[labels == j].mean() for j in range(k)])
    sds = np.array([x[labels == j].std() for j in range(k)])
    counts = np.bincount(labels, minlength=k)
    order = np.argsort(means)
    return np.column_stack([means[order], sds[order], result.weights[order],
                            counts[order]]).astype(float)
'''),
        Mutant("counts from np.unique, which leaves out a component that labels no point", '''
def cluster_summary(x, result):
    _, counts = np.unique(result.labels, return_counts=True)
    order = np.argsort(result.means)
    return np.column_stack([result.means[order], np.sqrt(result.variances[order]),
                            result.weights[order], counts[order]]).astype(float)
'''),
        Mutant("np.bincount without minlength: too short when the last component labels none", '''
def cluster_summary(x, result):
    counts = np.bincount(result.labels)
    order = np.argsort(result.means)
    return np.column_stack([result.means[order], np.sqrt(result.variances[order]),
                            result.weights[order], counts[order]]).astype(float)
'''),
    ],
}
