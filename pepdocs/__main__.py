"""`python -m pepdocs`: the command line."""

from pepdocs._cli import main

main()
