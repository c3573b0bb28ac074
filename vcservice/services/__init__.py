"""Use cases over the credential core, shared by the CLI and the HTTP API."""
