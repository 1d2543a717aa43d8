"""The staff dashboard (issue 18): pages for mentors and supervisors, signed in through the bot.

Mounted at /staff in serve's one ASGI app (bot/app.py). Pages are rendered on the server with
Jinja2; there is no front-end build. Every page checks the same policy as the chat commands
(bot/authorisation.py) and calls the same storage and report functions.
"""
