"""Plaque files: rendering (SVG, PNG, PDF for an 800×600 mm plate) and their content store."""
