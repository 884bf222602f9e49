"""The Jinja2 templates (see README.md here), shipped as package data of
``incident.templates``: pyproject.toml maps this top-level directory to
that package, so it is found through importlib.resources / Jinja's
PackageLoader from the checkout and from the installed wheel alike."""
