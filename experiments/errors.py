"""The errors the command line reports as the user's, or as a failed run, although they arise while a command runs.

Bad input is refused with a one-line ValueError.  Most of it is found before
any work starts (a spec, arguments, a results folder to read), and the CLI
calls every ValueError raised there a usage error.  Some is only found on the
way: a cluster that does not answer, an output folder that cannot be written,
a stored file that is corrupt.  Those raise `InputError`, a ValueError the CLI
also reports as a usage error, wherever it comes from; any other exception
past validation is a bug of optarena's, reported with its traceback.
"""


class InputError(ValueError):
    """The user's input, refused where it was found while running (exit code 2 on the command line)."""


class RunFailure(RuntimeError):
    """Some units raised; the others finished (and were stored), the tables were not written (exit code 1)."""
