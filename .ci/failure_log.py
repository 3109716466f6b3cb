"""A pytest plugin for runs cut at a deadline: each failure's report is appended to $FAILURE_LOG as it
arrives (pytest-xdist's controller included), so a phase stopped before pytest's own summary still
leaves every traceback it saw."""

from __future__ import annotations

import os


def pytest_runtest_logreport(report) -> None:
    """Append a failed or errored phase of one test, with its traceback, to the log named by $FAILURE_LOG."""
    path = os.environ.get("FAILURE_LOG")
    if not path or not report.failed or os.environ.get("PYTEST_XDIST_WORKER"):  # a worker's reaches the controller
        return
    with open(path, "a", encoding="utf-8") as log:
        log.write(f"===== {report.nodeid} [{report.when}]\n{report.longreprtext}\n")
