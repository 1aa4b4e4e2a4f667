"""Development tools beside the product: the festival drill and a pretix dev server."""
