"""`python -m jstui`: the same as the `jstui` command."""

import sys

from jstui.cli.main import main

sys.exit(main())
