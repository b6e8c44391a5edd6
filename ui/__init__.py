"""The entry points people use: the command line (and later the HTTP API and consoles)."""
