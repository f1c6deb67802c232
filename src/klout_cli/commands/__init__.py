"""One module per family of commands; cli.py registers them on the `kscore` group."""
