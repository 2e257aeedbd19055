"""Building the site: the store of parsed reports, the builder's plan, atomic output, assets, size report, serve."""
