import os
import sys
from pathlib import Path

# The suite writes nothing into the checkout, bytecode caches included (also
# in the Python processes tests start).
sys.dont_write_bytecode = True
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
sys.path.insert(0, str(Path(__file__).parent))

import pytest  # noqa: E402

import external  # noqa: E402

CHECKOUT_TEST = "test_suite_wrote_nothing_into_the_checkout"
_checkout_at_start = set()


def pytest_configure(config):
    _checkout_at_start.update(external.git_status())


def pytest_collection_modifyitems(items):
    """The checkout test runs after every other test, however they were picked."""
    items.sort(key=lambda item: item.name == CHECKOUT_TEST)


@pytest.fixture(scope="session")
def checkout_at_start():
    """What `git status --porcelain --ignored` showed when the run began."""
    return frozenset(_checkout_at_start)
