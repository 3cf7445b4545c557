"""The `dlgrade` commands, one module each; `app/cli.py` parses the command line and calls them.

A service command runs embedded (on the database `dlgrade serve` would use) or, given
`--server`, against a running service through `remote.Remote`.
"""
