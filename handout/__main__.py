"""Allow `python -m handout`."""

from handout.cli import main

main()
