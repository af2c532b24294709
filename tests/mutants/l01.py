"""Wrong answers to lesson 1's exercises that its tests must reject (tests/test_mutants.py)."""

from tests.mutants import Mutant

MUTANTS = {
    "l1-ex1": [
        Mutant("labels drawn uniformly, ignoring the weights", '''
def sample_mixture(means, weights, sigma2, n, rng):
    means = np.asarray(means, dtype=float)
    z = rng.choice(means.size, size=n)
    x = rng.normal(means[z], np.sqrt(sigma2))
    return x, z
'''),
        Mutant("scale = sigma2 instead of its square root", '''
def sample_mixture(means, weights, sigma2, n, rng):
    means = np.asarray(means, dtype=float)
    z = rng.choice(means.size, size=n, p=weights)
    x = rng.normal(means[z], sigma2)
    return x, z
'''),
        Mutant("one label drawn for all the points", '''
def sample_mixture(means, weights, sigma2, n, rng):
    means = np.asarray(means, dtype=float)
    z = np.full(n, rng.choice(means.size, p=weights))
    x = rng.normal(means[z], np.sqrt(sigma2))
    return x, z
'''),
        Mutant("labels 1..K instead of 0..K-1", '''
def sample_mixture(means, weights, sigma2, n, rng):
    means = np.asarray(means, dtype=float)
    z = rng.choice(np.arange(1, means.size + 1), size=n, p=weights)
    x = rng.normal(means[z - 1], np.sqrt(sigma2))
    return x, z
'''),
        Mutant("a fresh generator instead of the rng passed in (not reproducible)", '''
def sample_mixture(means, weights, sigma2, n, rng):
    means = np.asarray(means, dtype=float)
    gen = np.random.default_rng()
    z = gen.choice(means.size, size=n, p=weights)
    x = gen.normal(means[z], np.sqrt(sigma2))
    return x, z
'''),
        Mutant("numpy's global random state instead of the rng passed in", '''
def sample_mixture(means, weights, sigma2, n, rng):
    means = np.asarray(means, dtype=float)
    z = np.random.choice(means.size, size=n, p=weights)
    x = np.random.normal(means[z], np.sqrt(sigma2))
    return x, z
'''),
        Mutant("a Python loop over the points (right draws, not vectorised)", '''
def sample_mixture(means, weights, sigma2, n, rng):
    means = np.asarray(means, dtype=float)
    z = rng.choice(means.size, size=n, p=weights)
    x = np.array([rng.normal(means[k], np.sqrt(sigma2)) for k in z])
    return x, z
'''),
        Mutant("the noise drawn before the labels (right law, not emlib's order)", '''
def sample_mixture(means, weights, sigma2, n, rng):
    means = np.asarray(means, dtype=float)
    noise = rng.normal(0.0, np.sqrt(sigma2), size=n)
    z = rng.choice(means.size, size=n, p=weights)
    return means[z] + noise, z
'''),
        Mutant("means indexed as given: fails when means is a list", '''
def sample_mixture(means, weights, sigma2, n, rng):
    z = rng.choice(len(means), size=n, p=weights)
    x = rng.normal(means[z], np.sqrt(sigma2))
    return x, z
'''),
    ],
    "l1-ex2": [
        Mutant("weights ignored: the plain average of the components", '''
def mixture_density(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    means = np.asarray(means, dtype=float)
    dens = np.exp(-(x[:, None] - means) ** 2 / (2 * sigma2)) / np.sqrt(2 * np.pi * sigma2)
    return dens.mean(axis=1)
'''),
        Mutant("sigma2 used as the standard deviation", '''
def mixture_density(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    means = np.asarray(means, dtype=float)
    dens = np.exp(-(x[:, None] - means) ** 2 / (2 * sigma2 ** 2)) / np.sqrt(2 * np.pi * sigma2 ** 2)
    return dens @ np.asarray(weights, dtype=float)
'''),
        Mutant("square root of sigma2 in the exponent", '''
def mixture_density(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    means = np.asarray(means, dtype=float)
    dens = np.exp(-(x[:, None] - means) ** 2 / (2 * np.sqrt(sigma2))) / np.sqrt(2 * np.pi * sigma2)
    return dens @ np.asarray(weights, dtype=float)
'''),
        Mutant("normal constant 1/sqrt(2 pi sigma2) missing, as in eq (5)", '''
def mixture_density(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    means = np.asarray(means, dtype=float)
    dens = np.exp(-(x[:, None] - means) ** 2 / (2 * sigma2))
    return dens @ np.asarray(weights, dtype=float)
'''),
        Mutant("constant 1/sqrt(2 pi) * sigma2 instead of 1/sqrt(2 pi sigma2)", '''
def mixture_density(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    means = np.asarray(means, dtype=float)
    dens = np.exp(-(x[:, None] - means) ** 2 / (2 * sigma2)) / (np.sqrt(2 * np.pi) * sigma2)
    return dens @ np.asarray(weights, dtype=float)
'''),
        Mutant("density of the largest weighted component instead of the sum", '''
def mixture_density(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    means = np.asarray(means, dtype=float)
    dens = np.exp(-(x[:, None] - means) ** 2 / (2 * sigma2)) / np.sqrt(2 * np.pi * sigma2)
    return (dens * np.asarray(weights, dtype=float)).max(axis=1)
'''),
        Mutant("sum over the points (axis 0) instead of the components", '''
def mixture_density(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    means = np.asarray(means, dtype=float)
    dens = np.exp(-(x[:, None] - means) ** 2 / (2 * sigma2)) / np.sqrt(2 * np.pi * sigma2)
    return (dens * np.asarray(weights, dtype=float)).sum(axis=0)
'''),
        Mutant("no x[:, None]: points paired with components elementwise", '''
def mixture_density(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    means = np.asarray(means, dtype=float)
    dens = np.exp(-(x - means) ** 2 / (2 * sigma2)) / np.sqrt(2 * np.pi * sigma2)
    return dens * np.asarray(weights, dtype=float)
'''),
        Mutant("components along axis 0, weights broadcast along the points", '''
def mixture_density(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    means = np.asarray(means, dtype=float)
    dens = np.exp(-(x[None, :] - means[:, None]) ** 2 / (2 * sigma2)) / np.sqrt(2 * np.pi * sigma2)
    return (np.asarray(weights, dtype=float) * dens).sum(axis=0)
'''),
        Mutant("a Python loop over the components (right values, not vectorised)", '''
def mixture_density(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    total = np.zeros_like(x)
    for mu, w in zip(means, weights):
        total += w * np.exp(-(x - mu) ** 2 / (2 * sigma2)) / np.sqrt(2 * np.pi * sigma2)
    return total
'''),
        Mutant("scipy.stats instead of the formula", '''
def mixture_density(x, means, weights, sigma2):
    x = np.asarray(x, dtype=float)
    return stats.norm.pdf(x[:, None], means, np.sqrt(sigma2)) @ np.asarray(weights, dtype=float)
'''),
        Mutant("x used as given: x[:, None] fails when x is a list", '''
def mixture_density(x, means, weights, sigma2):
    means = np.asarray(means, dtype=float)
    dens = np.exp(-(x[:, None] - means) ** 2 / (2 * sigma2)) / np.sqrt(2 * np.pi * sigma2)
    return dens @ np.asarray(weights, dtype=float)
'''),
        Mutant("scipy.stats.norm imported inside the function", '''
def mixture_density(x, means, weights, sigma2):
    from scipy.stats import norm
    x = np.asarray(x, dtype=float)
    return norm.pdf(x[:, None], means, np.sqrt(sigma2)) @ np.asarray(weights, dtype=float)
'''),
    ],
}
