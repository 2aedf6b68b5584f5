"""The HTTP routers, one module per resource; none imports another (checked by import-linter)."""
