"""Named points where tests can freeze the process, to kill it there (crash-safety tests).

Set DIGEST_FAILPOINTS to a comma-separated list of names; when the process reaches one it
writes `<state>/failpoint-<name>` and sleeps until killed. Unset (always, in real use), each
point costs one dictionary lookup.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)

_ACTIVE = {n.strip() for n in os.environ.get("DIGEST_FAILPOINTS", "").split(",") if n.strip()}


def reach(name: str, state: Path) -> None:
    if name not in _ACTIVE:
        return
    log.warning("Failpoint - %s reached; waiting to be killed", name)
    (state / f"failpoint-{name}").write_text(str(os.getpid()))
    while True:
        time.sleep(60)
