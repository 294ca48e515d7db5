"""The outputs besides pages: feeds, open data, sitemap, the search index."""
