"""The public API: every name in ``replication.__all__`` resolves, and is the object its module defines."""

import importlib

import pytest

import replication


@pytest.mark.parametrize("name", replication.__all__)
def test_every_public_name_resolves(name):
    obj = getattr(replication, name)
    if name in replication._SUBPACKAGES:
        assert obj is importlib.import_module(f"replication.{name}")
    else:
        assert obj is getattr(importlib.import_module(replication._WHERE[name]), name)


def test_an_unknown_name_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="'nope'"):
        replication.nope
