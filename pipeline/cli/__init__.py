"""The command line: parses options, calls pipeline functions, formats
output, sets the exit status. Nothing here that Python cannot do in one call."""

from pipeline.cli.app import main

__all__ = ["main"]
