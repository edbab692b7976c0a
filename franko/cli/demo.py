"""`flask franko seed-demo`: a demo owner with two instances and a dozen interviews."""
