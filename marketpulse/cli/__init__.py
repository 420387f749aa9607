"""`python -m marketpulse`: the command line, on top of everything; nothing imports it.

Each command's main() lives here and calls the domain packages below.
"""

from marketpulse.cli.core import *  # noqa: F401,F403
from marketpulse.cli.core import main  # noqa: F401
