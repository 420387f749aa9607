"""Streamlit furniture: the shell (navigation, sidebar), widgets and plotly figures.

The only package that imports Streamlit; may import views and everything below them.
"""

