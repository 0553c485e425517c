from __future__ import annotations

import os
import sys
from pathlib import Path

# handler.py and local_poller.py sit in apps/trigger, outside a package (the Lambda's layout).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# Tests never reach AWS: fake credentials, a fixed region.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
