import sys

from marketpulse.cli import main

sys.exit(main())
