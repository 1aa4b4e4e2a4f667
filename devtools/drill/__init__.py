"""The festival drill: the 2016 opening morning replayed on loopback.

A reference central in drill mode, counter terminals selling at a cashier's pace, an online rush
holding and buying as fast as the central allows, and an outage in the middle. At the end the
drill checks, from the central's database and every terminal's store, that no seat was sold
twice, no paid sale is missing and none counts twice, and it measures what the counters kept
selling while the central was down. `pos drill festival` runs it; `run_festival()` is the API.
"""
