"""Field keys of SPEC §5: formatting, parsing and rejection of malformed keys."""

import pytest

from tracer.keys import key_of, parse_key


@pytest.mark.parametrize("key, parts", [
    ("delta:2:1", ("delta", 2, 1, None)),
    ("a:1:2", ("a", 1, 2, None)),
    ("dL_dw:2:1:2", ("dL_dw", 2, 1, 2)),
    ("w_new:2:1:2", ("w_new", 2, 1, 2)),
    ("b_new:1:2", ("b_new", 1, 2, None)),
    ("b_new:1", ("b_new", 1, None, None)),
    ("x:0:1", ("x", 0, 1, None)),
    ("m:3:4:10", ("m", 3, 4, 10)),
    ("loss", ("loss", None, None, None)),
])
def test_keys_round_trip(key, parts):
    assert parse_key(key) == parts
    assert key_of(*parts) == key


@pytest.mark.parametrize("key", [
    "", "loss:1", "delta", "delta:2", "delta:2:1:1", "w_new:2:1", "w:1", "x:1:1", "z:0:1",
    "delta:02:1", "delta:2:0", "delta:-1:1", "delta:2:+1", "delta:a:1", "weight:1:1:1",
    "delta:2:1:1:1", "delta:2:١",
])
def test_malformed_keys_are_rejected(key):
    with pytest.raises(ValueError):
        parse_key(key)


def test_key_of_rejects_impossible_values():
    with pytest.raises(ValueError):
        key_of("w_new", 2, 1)
    with pytest.raises(ValueError):
        key_of("delta", 2, True)
    with pytest.raises(ValueError):
        parse_key(7)
