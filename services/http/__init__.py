"""The HTTP API process: event intake (writes), trail reads and pages, and operations endpoints.

The package's base (problems, auth, limits, CloudEvents reading, templates) serves the routers in
``routes/``; ``app.py`` is the one composition root that builds the adapters and use cases and
includes the routers.
"""
