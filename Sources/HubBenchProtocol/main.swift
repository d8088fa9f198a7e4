print("hub-bench-protocol: not built yet")
