"""Material acceptance against the standards: pure functions driven by versioned rule tables."""
