"""measure: latency percentiles and throughput, measured right (open model, no coordinated omission)."""
