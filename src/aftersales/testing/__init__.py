"""aftersales.testing."""
