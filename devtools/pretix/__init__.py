"""A pretix on loopback, seeded from our demo data, for `pos pretix up` and the tests."""
