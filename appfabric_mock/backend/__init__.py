"""The AppFabric domain: plain Python state and rules, no HTTP."""
