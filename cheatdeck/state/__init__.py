"""What a build keeps between runs: the lock beside each sheet and the freshness record in the output folder."""
