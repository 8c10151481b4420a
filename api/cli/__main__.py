"""`python -m api.cli …`: the `palabra` command."""

from api.cli import main

main()
