"""Packaged message templates (a package so that the build ships its .txt and .html files)."""
