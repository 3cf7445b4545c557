"""Uploaded files kept in the database, in chunks, for whichever process runs their job."""
