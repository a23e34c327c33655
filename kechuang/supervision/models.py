"""Models of the 项目与监管 module."""
