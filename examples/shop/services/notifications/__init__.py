"""Notifications service: pushes order events to browsers via the realtime gateway."""
