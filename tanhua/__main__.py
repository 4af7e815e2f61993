"""The `tanhua` console command: Django's management commands under one name.

    tanhua migrate | serve | demo | import-roster FILE ... | export-roster FILE ...

Dashes are accepted where Django's commands use underscores (import-roster == import_roster).
"""

import os
import sys


def main(argv=None):
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tanhua.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "tanhua"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
