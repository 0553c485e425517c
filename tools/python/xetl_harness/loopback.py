"""Servers on loopback (moto, the IAM emulator) reached past the machine's proxy settings.

A machine behind a proxy (CI's among them) sets ``HTTP_PROXY``/``HTTPS_PROXY``. botocore and urllib
send every request through that proxy, loopback included, unless ``NO_PROXY`` names the host; the
clients that code under test builds itself (Airflow's hooks, the trigger handler) cannot be given
other settings. So a harness that starts a loopback server exempts loopback in its own process's
environment (inherited by what it starts), and leaves the proxy in place for everything else.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def exempt_loopback_from_proxies(environ: MutableMapping[str, str] = os.environ) -> None:
    """Adds the loopback hosts to ``NO_PROXY`` and ``no_proxy`` (both: tools read one or the other),
    keeping whatever the machine already lists there."""
    for var in ("NO_PROXY", "no_proxy"):
        listed = [host.strip() for host in environ.get(var, "").split(",") if host.strip()]
        environ[var] = ",".join(listed + [host for host in LOOPBACK_HOSTS if host not in listed])
