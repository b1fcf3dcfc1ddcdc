"""What the service knows of memory as such: the kinds it stores (app.memory.kinds)."""
