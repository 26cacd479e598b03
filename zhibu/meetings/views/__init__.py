"""Organisational-life pages, one module per topic; ``zhibu.meetings.urls`` maps them."""
