"""Sharing diagnostics: the edges the database classifies (edges), one agent's explanation (explain), and the
graph drawn as Mermaid, DOT or SVG (render)."""
