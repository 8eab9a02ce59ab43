"""aftersales.adapters."""
