"""Tables, the database connection and the operations on them; pure of Telegram."""
