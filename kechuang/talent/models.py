"""Models of the 人才 module."""
