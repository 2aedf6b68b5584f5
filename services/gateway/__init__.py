"""The gateway: CloudEvents over HTTP in, the submitted topic out."""
