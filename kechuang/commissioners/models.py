"""Models of the 科技特派员 module."""
