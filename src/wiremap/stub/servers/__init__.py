"""One stub server per protocol; see :mod:`wiremap.stub.registry`."""
