"""市场脉搏 MarketPulse: the logic behind the dashboard, in packages that follow the data's way.

store → rollup → ingest → rules → metrics → forecast → supply → simulate → views → ui →
report, with errors, numbers, i18n, festival and export as leaves and cli on top (README, "Layout").
"""
