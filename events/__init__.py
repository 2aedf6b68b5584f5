"""The qtrail event catalog: the CloudEvents envelope and one pydantic model per fact.

Pure pydantic, no I/O. A published type is never edited: a change is a new version plus an
upcaster (see ``events.registry``).
"""
