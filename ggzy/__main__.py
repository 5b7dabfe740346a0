"""`python -m ggzy` runs the command line."""

from ggzy.cli import main

main()
