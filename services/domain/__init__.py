"""The pure domain core: no I/O, no clock, no network. Time and ids are passed in."""
