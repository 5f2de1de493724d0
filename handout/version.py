"""handout's version: the package's, the slide cache's key and the archive's manifest say it."""

__version__ = "0.1.0"
