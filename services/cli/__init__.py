"""The ``qtrail`` command line."""
