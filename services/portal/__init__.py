"""The portal: read side of the trail (project trail, verification; later the plaque page)."""
