"""What runs in a submission's kernel to answer the tests' calls (see :mod:`coursetools.proxy`).

This module's source, with :mod:`coursetools.wire`'s, is executed in the submission's
kernel before any of its cells. It trusts nothing and is trusted by nothing: the
submission can change it at will, and all it can achieve is to change what its own
functions appear to return, which is what the tests judge anyway.
"""

import sys
import warnings

# Results go back as a display of this type, tied to the request that asked for them.
MIME = "application/x-coursetools-wire+json"
# The name this module's source runs under in the submission's kernel (in sys.modules).
MODULE = "_coursetools_grading"


def _user_namespace() -> dict:
    from IPython import get_ipython

    return get_ipython().user_ns


def _run(name, payload, runner):
    function = _user_namespace().get(name)
    if function is None:
        _reply(encode({"error": ["NameError", f"name {name!r} is not defined"]}))  # noqa: F821
        return
    try:
        args, kwargs = decode(payload)  # noqa: F821 (wire's, executed alongside)
        arrays = np.ndarray  # noqa: F821
        before = {i: a.copy() for i, a in enumerate(args) if isinstance(a, arrays)}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = runner(function, args, kwargs)
        changed = [i for i, old in before.items()
                   if (args[i].shape, args[i].dtype, args[i].tobytes())
                   != (old.shape, old.dtype, old.tobytes())]
        reply = {"value": result, "changed": changed,
                 "warnings": [[type(w.message).__name__, str(w.message)] for w in caught[:50]]}
        text = encode(reply)  # noqa: F821
    except BaseException as error:  # everything goes back to the tests, as the tests' error
        text = encode({"error": [type(error).__name__, str(error)[:2000]]})  # noqa: F821
    _reply(text)


def _reply(text: str) -> None:
    from IPython.display import display

    sys.stdout.flush()
    sys.stderr.flush()
    display({MIME: text}, raw=True)


def call(name, payload):
    """Call the submission's ``name`` on the arguments in ``payload``; display the result."""
    _run(name, payload, lambda f, args, kwargs: f(*args, **kwargs))


def count_lines(name, payload):
    """How many lines of notebook code one call runs (lesson 6's ``lines_run``)."""

    def runner(function, args, kwargs):
        code = getattr(function, "__code__", None)
        cells = code.co_filename.rsplit("/", 1)[0] if code else None
        count = 0

        def local(frame, event, arg):
            nonlocal count
            if event == "line":
                count += 1
            return local

        def tracer(frame, event, arg):
            where = frame.f_code.co_filename.rsplit("/", 1)[0]
            return local if cells is not None and where == cells else None

        old = sys.gettrace()
        sys.settrace(tracer)
        try:
            function(*args, **kwargs)
        finally:
            sys.settrace(old)
        return count

    _run(name, payload, runner)
