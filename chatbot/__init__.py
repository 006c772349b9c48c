"""Chatbot: answers from the help center and handover to a human."""
