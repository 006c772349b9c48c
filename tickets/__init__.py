"""Tickets: requests from the web, email and chat, worked by agents."""
