"""``python -m experiments`` and the ``optarena`` command.

SIGINT is blocked before the command's modules load: a Ctrl-C during the
second it takes to import numpy, pandas and numba then waits, and the
command's own handling (`experiments.running.interrupts`) stops the run at
its first safe point with its one-line message.  (A KeyboardInterrupt raised
inside those imports can arrive twice: LLVM, loaded by numba, re-raises the
signal it caught.)
"""

import signal
import sys


def main() -> int:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    from experiments.cli import main as command

    return command()


if __name__ == "__main__":
    sys.exit(main())
