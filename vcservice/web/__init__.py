"""Pages for people: the verify page and the printable certificate, in English and Spanish.

``i18n`` holds the pages' own words and picks the reader's language; ``result`` turns a
verification result into what the page shows; ``render`` fills the Jinja2 templates in
``templates/`` (the page's stylesheet and script are in ``static/``). Nothing here knows
HTTP: the routes are in ``vcservice.api.routers.pages`` and ``…printing``.
"""
