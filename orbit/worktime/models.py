"""Working calendars."""
