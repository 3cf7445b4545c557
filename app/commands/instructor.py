"""`dlgrade create-instructor`: add an instructor to the local database."""

import argparse
import sys

from app.commands.local import settings
from app.untrusted import shown
from app.users.service import create_instructor


def add_instructor(args: argparse.Namespace) -> None:
    """Create the instructor and print their token, alone on stdout, once."""
    token = create_instructor(settings(args), args.name)
    # The token alone on stdout, so that a script can capture it; the note goes to stderr.
    print(token)
    print(
        f"dlgrade: instructor {shown(args.name)} created; the token above is shown only once",
        file=sys.stderr,
    )
