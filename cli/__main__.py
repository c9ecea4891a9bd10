"""`python -m cli ...` runs the `datacommons` command."""
from cli.main import main

raise SystemExit(main())
