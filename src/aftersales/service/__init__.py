"""aftersales.service."""
