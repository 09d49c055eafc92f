"""The quarterly steering report of a region, as PDF: what the steering group sees (small numbers
suppressed), with the targets, interpretations, attention points and the definitions.

`content` gathers the figures (from the public indicator table only), `chart` draws each trend as
SVG, `pdf` fills the HTML template and lets WeasyPrint write a tagged PDF/UA-1 file;
`python -m dashboard.report` is the command line.
"""
