"""``python -m experiments`` and the ``optarena`` command.

SIGINT is blocked as soon as this module loads, before the command's modules
do: a Ctrl-C during the second it takes to import numpy, pandas and numba then
waits, and the command's own handling (`experiments.running.interrupts`) stops
the run at its first safe point with its one-line message.  (A KeyboardInterrupt
raised inside those imports can arrive twice: LLVM, loaded by numba, re-raises
the signal it caught.)  Only a Ctrl-C in the interpreter's own start-up, the
few tens of milliseconds before this module runs, is Python's to report.
"""

import signal
import sys

signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def main() -> int:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # again, for a caller that unblocked it since
    from experiments.cli import main as command

    return command()


if __name__ == "__main__":
    sys.exit(main())
