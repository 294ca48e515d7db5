"""Pages: the Jinja renderer, Markdown bodies and the URL rule for links."""
