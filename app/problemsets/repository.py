"""The SQL of the problem sets: the one catalog_versions row."""

from sqlalchemy.orm import Session

from app.db.models import CATALOG_VERSION_ID, CatalogVersion, utcnow


def catalog_version(session: Session) -> CatalogVersion | None:
    """The catalog version row (one primary-key read); None where it is missing."""
    return session.get(CatalogVersion, CATALOG_VERSION_ID, populate_existing=True)


def bump_catalog_version(session: Session, fingerprint: str) -> int:
    """Record a reload of the catalog with this fingerprint; the new counter."""
    row = session.get(CatalogVersion, CATALOG_VERSION_ID, with_for_update=True)
    if row is None:
        row = CatalogVersion(id=CATALOG_VERSION_ID, counter=0, fingerprint="")
        session.add(row)
    row.counter += 1
    row.fingerprint = fingerprint
    row.changed_at = utcnow()
    session.flush()
    return row.counter
