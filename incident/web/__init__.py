"""The HTTP side (FastAPI): machine APIs now, the web app's pages later."""
