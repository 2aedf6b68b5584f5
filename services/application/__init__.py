"""Use cases over ports: what qtrail does, with the I/O behind Protocols the adapters implement."""
