"""The first instructor: from DLGRADE_INSTRUCTOR_TOKEN, or generated and printed once."""

import logging
import os

from app.db.engine import transaction
from app.db.models import Role
from app.private import open_private, private_dir
from app.services import Services
from app.users import repository, service
from app.users.tokens import token_hash

TOKEN_FILE = "instructor-token"
log = logging.getLogger("dlgrade")


def ensure_instructor(services: Services) -> None:
    """Make sure an instructor can log in, without ever storing a token in clear in the DB."""
    secret = services.settings.instructor_token
    with transaction(services.sessions) as session:
        if secret is not None:
            token = secret.get_secret_value()
            if repository.by_token_hash(session, token_hash(token)) is None:
                service.issue(session, name="instructor", role=Role.INSTRUCTOR, token=token)
            return
        if repository.any_instructor(session):
            return
        issued = service.issue(session, name="instructor", role=Role.INSTRUCTOR)
    _announce(services, issued.token)


def _announce(services: Services, token: str) -> None:
    """Print the generated token once, and leave it in a file only its owner can read."""
    path = services.settings.data_dir / TOKEN_FILE
    private_dir(path.parent)
    descriptor = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(token + "\n")
    print(f"dlgrade: first start; instructor token (also in {path}): {token}", flush=True)
    log.info("created the first instructor; token written to %s", path)
