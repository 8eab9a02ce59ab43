"""Examples of embedding aftersales (each a package; their tests run in ``make test``)."""
