"""aftersales.ports."""
