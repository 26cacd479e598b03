"""Every write to organisational life, one module per topic; import from the topic module."""
