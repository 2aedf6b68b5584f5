"""The recorder: decides each submitted event and seals it onto its project's chain, or rejects it."""
