"""The offline demo: the Telegram simulator and the real bot in one process (`dlpbot demo`)."""
