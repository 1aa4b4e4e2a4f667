"""The Textual counter: app, screens, widgets, messages, catalogs."""
