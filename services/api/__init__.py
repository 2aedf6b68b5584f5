"""The HTTP API process: gateway (writes), portal (reads) and operations endpoints."""
