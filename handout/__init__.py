"""handout: compile a markdown slide deck into a print-ready PDF handout."""

__version__ = "0.1.0"
