"""aftersales.reports."""
