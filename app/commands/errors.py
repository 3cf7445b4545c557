"""How a command fails: a one-line message on stderr and exit status 2."""

EXIT_BAD_INPUT = 2


class CliError(Exception):
    """Bad input, or a refusal from the service; the message is printed and the exit status
    is 2."""
