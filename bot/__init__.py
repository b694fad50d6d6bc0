"""Wiring: settings, the Bot and Dispatcher, middlewares, keyboards and rendering."""
