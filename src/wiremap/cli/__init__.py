"""The ``wiremap`` command line: one module per command, registered in :mod:`wiremap.cli.main`."""
