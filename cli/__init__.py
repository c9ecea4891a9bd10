"""The command line, the top floor: `datacommons ...` (console script) or `python -m cli ...`."""
