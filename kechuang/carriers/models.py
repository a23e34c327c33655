"""Models of the 创新载体 module."""
