"""`wiremap faults`: run the Source's test against a destination failing as its doc says it might."""
