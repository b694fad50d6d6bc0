"""Magic filters used by several routers."""

from aiogram import F

in_group = F.chat.type.in_({"group", "supergroup"})
in_private = F.chat.type == "private"
not_a_command = ~F.text.startswith("/")
typed = F.text & not_a_command
