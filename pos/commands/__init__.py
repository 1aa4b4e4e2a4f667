"""One module per `pos` subcommand; each exposes `register(subparsers)`."""
