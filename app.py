"""MarketPulse (市场脉搏) entry point: language, navigation and the shared sidebar filters
(marketpulse.ui.shell), then the chosen page."""

from marketpulse.ui import shell

shell.start().run()
