"""``python -m vcservice``: the command line."""

from vcservice.cli.main import main

raise SystemExit(main())
