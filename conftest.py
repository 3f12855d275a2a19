"""Collection rules for the whole repository (the tests' own fixtures are in tests/conftest.py)."""

import importlib.util
import os

# torch's AVX2/AVX-512 kernels fuse multiply-adds; its scalar kernels round as numpy does. The tests that
# compare with torch bit for bit need the scalar ones, chosen before torch is first imported.
os.environ.setdefault("ATEN_CPU_CAPABILITY", "default")

# optimizers/torch.py is the optional torch integration: without torch there is nothing to import.
collect_ignore = [] if importlib.util.find_spec("torch") else ["optimizers/torch.py"]


def pytest_collection_modifyitems(items):
    """A doctest that runs a whole experiment (``run("quick")``) is slow, as the tests that do are: the fast tier
    (``pytest -m "not slow"``) leaves it out."""
    import pytest
    from _pytest.doctest import DoctestItem

    for item in items:
        if isinstance(item, DoctestItem) and any("run(" in example.source for example in item.dtest.examples):
            item.add_marker(pytest.mark.slow)
