"""Live chat: websocket conversations, per-language queues and routing to agents."""
