"""The pure domain of aftersales: values, parties, products, tickets, workflows, calendars.

Nothing here does I/O, reads the clock or logs: time is always passed in.
"""
