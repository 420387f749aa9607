"""市场脉搏 MarketPulse: the logic behind the dashboard (store, import, metrics, forecasts)."""
