"""qtrail services: the pure domain, the use cases, the adapters, and the processes (http, recorder,
cli)."""
