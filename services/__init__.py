"""qtrail services: the pure domain core, adapters, and the processes (gateway, recorder, portal, cli)."""
