"""The Telegram bot: commands and buttons (``handlers``), pushes (``outgoing``, ``notifier``).

``service.run_bot`` is the ``bot`` role of ``kamerwacht run``; ``bot.delivery.run_worker`` sends
the outbox through :class:`~bot.telegram.notifier.TelegramNotifier`. Texts live in
``templates/telegram``.
"""
