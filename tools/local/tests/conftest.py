"""One local stack (moto, PostgreSQL, account A deployed with Terraform) for the whole session:
the deploy is the slow part, and both cases only need it once."""

from __future__ import annotations

import pytest
from xetl_local.stack import REPO_ROOT, LocalStack


@pytest.fixture(scope="session")
def stack():
    # Its own work dir: the test never touches the state of a person's `npm run local`; and an empty
    # warehouse, so no partition of an earlier session can change what a test sees.
    with LocalStack(work=REPO_ROOT / ".work" / "local-test", fresh_warehouse=True) as running:
        yield running
