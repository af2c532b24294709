"""Which lesson cells a submission's kernel runs, and what the tests' names are (isolation.py)."""

from coursetools.isolation import defined_names, global_reads, imports_of, needed_by


def test_global_reads_leave_out_each_function_s_own_names():
    source = ("def f(x, scale=factor):\n    y = [v * w for v in x]\n    return helper(y) + offset\n"
              "result = f(data)\n")
    assert global_reads(source) == {"factor", "w", "helper", "offset", "f", "data"}
    assert global_reads("def f(:\n") is None


def test_defined_names_are_the_top_level_bindings():
    assert set(defined_names("import numpy as np\nfrom a.b import c\nx = y = 1\n"
                             "def g():\n    z = 2\nclass K:\n    pass\n")) == {
        "np", "c", "x", "y", "g", "K"}


LESSON = [
    "import numpy as np\nimport emlib\n",          # 0 the imports
    "x = np.linspace(0, 1, 5)\n",                   # 1 the data
    "plt_title = 'x'\nprint(x.mean())\n",           # 2 reads x (could change it)
    "x_big = np.repeat(x, 2)\n",                    # 3 reads x too
    "shown = emlib.sample\n",                       # 4 nothing the student reads
    "%matplotlib inline\n",                         # 5 not Python: always run
]


def test_the_submission_gets_only_the_cells_its_code_reads_from():
    answer = "def f(values):\n    return np.sum(values)\n"
    assert needed_by([answer], LESSON) == [True, False, False, False, False, True]
    uses_data = "def f(values):\n    return np.sum(values) + x[0]\n"
    assert needed_by([uses_data], LESSON) == [True, True, True, True, False, True]


def test_dynamic_access_or_unreadable_code_gets_every_cell():
    for answer in ["def f():\n    return globals()['x']\n", "value = eval('x')\n",
                   "def broken(:\n"]:
        assert needed_by([answer], LESSON) == [True] * len(LESSON)


def test_only_library_imports_reach_the_tests_kernel():
    sources = ["import numpy as np\nfrom scipy.special import logsumexp as lse\n"
               "import os\nfrom . import local\nfrom emlib import *\n"]
    assert imports_of(sources) == [("np", "numpy", None), ("lse", "scipy.special", "logsumexp")]
