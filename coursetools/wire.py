"""Plain data across the wall between a submission's kernel and the tests' kernel.

What crosses is JSON with NumPy arrays in ``.npy`` form (read back with
``allow_pickle=False``): ``None``, ``bool``, ``int``, ``float``, ``str``, lists,
tuples, dicts, arrays of numbers or strings, NumPy scalars, NumPy random generators
(as their state) and emlib's result types (rebuilt from their fields, through their
own constructors). Nothing else: no pickles, no code, no objects with behaviour of
their own. Whatever the sender is, what :func:`decode` returns is built here, from
these types only, so it cannot compare equal to everything, override NumPy's
operators or run code when the tests touch it.

The submission's kernel runs this module's source too (``coursetools.student_side``
sends it there), so this module imports nothing from the package.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json

import numpy as np

# Array kinds that may cross: booleans, integers, floats, complex numbers, strings.
ARRAY_KINDS = "biufcUS"
GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
EMLIB_TYPES = ("MixtureParams", "FitResult")
MAX_DEPTH = 32
MAX_BYTES = 256 * 1024**2


class WireError(TypeError):
    """A value that cannot cross, or a message that is not what this module writes."""


def _emlib_type(name: str):
    import emlib

    return getattr(emlib, name)


def _emlib_fields(obj) -> dict:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.init}


def encode(value) -> str:
    """``value`` as a JSON text (see the module doc for what may cross)."""
    arrays: list[str] = []

    def array(a: np.ndarray) -> int:
        if a.dtype.kind not in ARRAY_KINDS:
            raise WireError(f"an array of dtype {a.dtype} cannot be passed")
        buffer = io.BytesIO()
        np.save(buffer, a, allow_pickle=False)
        arrays.append(base64.b64encode(buffer.getvalue()).decode("ascii"))
        return len(arrays) - 1

    def tree(v, depth: int):
        if depth > MAX_DEPTH:
            raise WireError("the value is nested too deeply")
        if v is None or type(v) in (bool, int, float, str):
            return v
        if isinstance(v, np.generic):
            return {"scalar": array(np.asarray(v))}
        if isinstance(v, np.ndarray):
            return {"ndarray": array(np.asarray(v))}
        if isinstance(v, bool):
            return bool(v)
        for base in (int, float, str):  # subclasses cross as their base type
            if isinstance(v, base):
                return base(v)
        if isinstance(v, list):
            return [tree(item, depth + 1) for item in v]
        if isinstance(v, tuple):
            return {"tuple": [tree(item, depth + 1) for item in v]}
        if isinstance(v, dict):
            return {"dict": [[tree(k, depth + 1), tree(item, depth + 1)] for k, item in v.items()]}
        if isinstance(v, np.random.Generator):
            return {"generator": tree(v.bit_generator.state, depth + 1)}
        name = type(v).__name__
        if name in EMLIB_TYPES and type(v) is _emlib_type(name):
            return {"emlib": name, "fields": tree(_emlib_fields(v), depth + 1)}
        raise WireError(
            f"a value of type {type(v).__module__}.{type(v).__qualname__} cannot be passed to or "
            "from a graded function: use numbers, strings, lists, tuples, dicts, NumPy arrays "
            "or emlib's results")

    return json.dumps({"value": tree(value, 0), "arrays": arrays})


def decode(text: str):
    """The value :func:`encode` wrote; anything else raises :class:`WireError`."""
    if not isinstance(text, str) or len(text) > MAX_BYTES:
        raise WireError("the message is not text of a size that can be read")
    try:
        message = json.loads(text)
        encoded, blobs = message["value"], message["arrays"]
    except (ValueError, KeyError, TypeError) as error:
        raise WireError(f"the message is not readable ({error})") from None
    if type(blobs) is not list or not all(type(b) is str for b in blobs):
        raise WireError("the message's arrays are not readable")

    def array(index) -> np.ndarray:
        if type(index) is not int or not 0 <= index < len(blobs):
            raise WireError("an array reference is out of range")
        try:
            a = np.load(io.BytesIO(base64.b64decode(blobs[index], validate=True)),
                        allow_pickle=False)
        except ValueError as error:
            raise WireError(f"an array is not readable ({error})") from None
        if type(a) is not np.ndarray or a.dtype.kind not in ARRAY_KINDS:
            raise WireError("an array of a kind that may not cross")
        return a

    def build(v, depth: int):
        if depth > MAX_DEPTH:
            raise WireError("the value is nested too deeply")
        if v is None or type(v) in (bool, int, float, str):
            return v
        if type(v) is list:
            return [build(item, depth + 1) for item in v]
        if type(v) is not dict or len(v) not in (1, 2):
            raise WireError("an unknown kind of value")
        (tag, body), *rest = v.items()
        if tag == "ndarray" and not rest:
            return array(body)
        if tag == "scalar" and not rest:
            a = array(body)
            if a.ndim != 0:
                raise WireError("a scalar that is not one")
            return a[()]
        if tag == "tuple" and not rest and type(body) is list:
            return tuple(build(item, depth + 1) for item in body)
        if tag == "dict" and not rest and type(body) is list:
            out = {}
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    raise WireError("a dict entry that is not a pair")
                key = build(pair[0], depth + 1)
                if type(key) not in (bool, int, float, str, tuple) or key is None:
                    key = str(key)
                out[key] = build(pair[1], depth + 1)
            return out
        if tag == "generator" and not rest:
            state = build(body, depth + 1)
            kind = state.get("bit_generator") if type(state) is dict else None
            if kind not in GENERATORS:
                raise WireError("an unknown random generator")
            bit_generator = getattr(np.random, kind)()
            try:
                bit_generator.state = state
            except (TypeError, ValueError, KeyError) as error:
                raise WireError(f"a random generator state that is not one ({error})") from None
            return np.random.Generator(bit_generator)
        if tag == "emlib" and rest and rest[0][0] == "fields" and body in EMLIB_TYPES:
            fields = build(rest[0][1], depth + 1)
            cls = _emlib_type(body)
            allowed = {f.name for f in dataclasses.fields(cls) if f.init}
            if type(fields) is not dict or not set(fields) <= allowed:
                raise WireError(f"fields that {body} does not have")
            try:
                return cls(**fields)
            except (TypeError, ValueError) as error:
                raise WireError(f"not a valid {body}: {error}") from None
        raise WireError(f"an unknown kind of value ({tag!r})")

    return build(encoded, 0)
