"""Streamlit furniture: the shell (navigation, sidebar filters, cached views), widgets, the
plotly figures, the market-state grid and the price spread's boxes, and the pieces of single pages (weekly, prices, brands).

May import views and everything below them. Importing the package loads nothing: figures
needs no Streamlit (the 周报 uses its colours), the other modules do.
"""

__all__ = [
    "brands",
    "figures",
    "grid",
    "palette",
    "prepared",
    "prices",
    "shell",
    "signin",
    "spread",
    "weekly",
    "widgets",
]
