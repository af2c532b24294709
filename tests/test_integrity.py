"""The integrity check reads student cells and flags what changes what the tests rely on."""

from __future__ import annotations

import pytest

from coursetools.integrity import HIDDEN_BLOCK, audit_source, import_bindings

IMPORTS = import_bindings([
    "import numpy as np\nimport matplotlib.pyplot as plt\nfrom scipy import stats\nimport emlib",
])

HONEST = [
    # typical answers, including a re-import of what the lesson imported
    "def f(x, means):\n    d = np.asarray(x)[:, None] - means\n    return np.exp(-d**2).sum(1)",
    "import numpy as np\n\ndef f(x):\n    return np.abs(x)",
    "def g(x):\n    abs = 3  # a local name may shadow a builtin\n    return x + abs",
    "def h(a):\n    out = np.zeros(3)\n    out[0] = a\n    return out",
    "from scipy.special import logsumexp\n\ndef f(a):\n    return logsumexp(a, axis=1)",
    "result = emlib.fit(x, 2, variance=1.0)\nprint(result.__name__ if False else 1)",
    "def broken(:\n    pass",  # a syntax error is not cheating: it fails when it runs
]

CHEATS = [
    ("np.allclose = lambda *a, **k: True", "assigns to the attribute 'np.allclose'"),
    ("import numpy\nnumpy.allclose = lambda *a, **k: True", "assigns to the attribute"),
    ("m = np\nm.testing.assert_allclose = print", "assigns to the attribute"),
    ("emlib.update_means = lambda *a: None", "assigns to the attribute 'emlib.update_means'"),
    ("def f():\n    emlib.sample = f", "assigns to the attribute 'emlib.sample'"),
    ("abs = lambda v: 0", "rebinds 'abs'"),
    ("AssertionError = Exception", "rebinds 'AssertionError'"),
    ("def abs(v):\n    return 0", "redefines 'abs'"),
    ("class AssertionError(Exception):\n    pass", "redefines 'AssertionError'"),
    ("np = None", "rebinds 'np'"),
    ("import fakenumpy as np", "rebinds 'np' by an import"),
    ("from math import isclose as abs", "rebinds 'abs' by an import"),
    ("import builtins\nbuiltins.abs = lambda v: 0", "imports 'builtins'"),
    ("__builtins__.abs = len", "special name '__builtins__'"),
    ("setattr(np, 'allclose', print)", "calls 'setattr()'"),
    ("globals()['np'] = None", "calls 'globals()'"),
    ("exec('np.allclose = print')", "calls 'exec()'"),
    ("vars(np)['allclose'] = print", "calls 'vars()'"),
    ("np.__dict__['allclose'] = print", "special attribute '__dict__'"),
    ("import sys\nsys.modules['numpy'].allclose = print", "imports 'sys'"),
    ("from unittest import mock\nmock.patch('numpy.allclose').start()", "imports 'unittest'"),
    ("def f():\n    global abs\n    abs = len", "declares 'abs' global"),
    ("del np", "rebinds 'np'"),
    ("open('emlib/estep.py', 'w').write('')", "calls 'open()'"),
    ("plt.rcParams['a'] = 1", "modifies 'plt.rcParams"),
    ("from numpy import *", "imports everything"),
    ("%run -i cheat.py", "calls 'get_ipython()'"),
    ("!rm -rf ~", "calls 'get_ipython()'"),
]


@pytest.mark.parametrize("source", HONEST)
def test_honest_answers_pass(source):
    assert audit_source(source, IMPORTS) == []


@pytest.mark.parametrize(("source", "rule"), CHEATS, ids=[c[0][:30] for c in CHEATS])
def test_tampering_is_flagged_with_a_reason(source, rule):
    findings = audit_source(source, IMPORTS)
    assert findings, source
    assert any(rule in str(f) for f in findings), [str(f) for f in findings]


def test_findings_name_the_line():
    (finding,) = audit_source("x = 1\ny = 2\nnp.allclose = print", IMPORTS)
    assert finding.line == 3 and str(finding).startswith("line 3:")


def test_hidden_block_pattern_removes_only_the_hidden_part():
    source = "assert a\nprint('ok')\n### BEGIN HIDDEN TESTS\nassert secret\n### END HIDDEN TESTS\n"
    assert HIDDEN_BLOCK.sub("", source) == "assert a\nprint('ok')\n"
