"""The html report: a page per submission with the network drawn, and a class dashboard."""
