"""Entry point of the local run (see xetl_local/cli.py); runs in the airflow venv."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from xetl_local.cli import main  # noqa: E402

sys.exit(main())
