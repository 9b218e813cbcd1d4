"""What the Python benchmarks (bench-vmm.py, bench-screendump.py) share: their error and the way they end a machine."""

import signal
import subprocess


class RunError(Exception):
    """A machine did not complete a case; the message says how it failed."""


def stop(proc):
    """End a machine we started: SIGTERM, then SIGKILL if it does not go."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stderr:
        proc.stderr.close()
