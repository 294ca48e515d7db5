"""The command line: build, validate, check, new, serve, catalog."""
