"""`orbit` console script: the Django management commands under a short name (orbit demo seed, orbit migrate…)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orbit.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["orbit", *sys.argv[1:]])


if __name__ == "__main__":
    main()
