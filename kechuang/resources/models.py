"""Models of the 创新资源 module."""
