"""aftersales.policies."""
