"""What crosses between a submission's kernel and the tests' kernel (coursetools/wire.py)."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import emlib
from coursetools import wire

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
arrays = hnp.arrays(hnp.scalar_dtypes().filter(lambda d: d.kind in "biufc"),
                    hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
values = st.recursive(scalars | arrays, lambda inner: st.lists(inner, max_size=4)
                      | st.tuples(inner, inner)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=12)


def same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b or (a != a and b != b)


@given(values)
def test_plain_data_comes_back_as_it_went_with_the_same_types(value):
    assert same(wire.decode(wire.encode(value)), value)


def test_numpy_scalars_generators_and_emlib_results_cross():
    back = wire.decode(wire.encode([np.float64(1.5), np.int32(3)]))
    assert type(back[0]) is np.float64 and type(back[1]) is np.int32
    rng = np.random.default_rng(7)
    copy = wire.decode(wire.encode(rng))
    assert copy is not rng and np.array_equal(copy.normal(size=3), rng.normal(size=3))
    x, _ = emlib.sample(emlib.MixtureParams([-2.0, 2.0]), 50, rng=np.random.default_rng(1))
    fit = emlib.fit(x, 2, variance=1.0, seed=0)
    again = wire.decode(wire.encode(fit))
    assert type(again) is emlib.FitResult and type(again.params) is emlib.MixtureParams
    assert np.array_equal(again.means, fit.means) and again.log_likelihood == fit.log_likelihood


class Anything:
    def __eq__(self, other):
        return True


class Agreeable(np.ndarray):
    def __array_ufunc__(self, *args, **kwargs):
        return True


def test_objects_with_behaviour_of_their_own_do_not_cross():
    with pytest.raises(wire.WireError, match="cannot be passed"):
        wire.encode(Anything())
    with pytest.raises(wire.WireError, match="dtype object"):
        wire.encode(np.array([Anything()], dtype=object))
    back = wire.decode(wire.encode(np.arange(3.0).view(Agreeable)))
    assert type(back) is np.ndarray and not np.allclose(back, [9.0, 9.0, 9.0])

    class Sly(float):
        def __eq__(self, other):
            return True

    assert type(wire.decode(wire.encode(Sly(2.0)))) is float


def forged(value, arrays=()) -> str:
    return json.dumps({"value": value, "arrays": list(arrays)})


def test_forged_messages_are_refused():
    blob = io.BytesIO()
    np.save(blob, np.array([Anything()], dtype=object), allow_pickle=True)
    pickled = base64.b64encode(blob.getvalue()).decode()
    for text in [forged({"ndarray": 0}, [pickled]), forged({"ndarray": 3}),
                 forged({"__reduce__": "os.system"}), forged({"emlib": "Gradebook", "fields": {}}),
                 forged({"generator": {"dict": [["bit_generator", "Evil"]]}}), "not json",
                 json.dumps({"value": 1}), forged({"tuple": 1, "dict": 2})]:
        with pytest.raises(wire.WireError):
            wire.decode(text)
    deep = 1
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError, match="nested too deeply"):
        wire.decode(forged(deep))
