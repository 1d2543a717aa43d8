"""GET /media/<token>: a picture sent by WhatsApp, for Twilio to fetch while its link lasts.

The token is the only key (bot/delivery/media_links.py): forged, changed or ended, it gets 404
and says nothing about why. Nothing is cached on the way, and the access log leaves the token
out (bot/web/security.AccessLogRedaction).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.delivery.media_links import MediaLinks
from bot.service import MentorService
from bot.storage import sent_pictures


class MediaRoute:
    def __init__(self, service: MentorService, links: MediaLinks) -> None:
        self.service = service
        self.links = links

    async def get(self, request: Request) -> Response:
        now = self.service.clock()
        picture_id = self.links.media_id(str(request.path_params["token"]), now=now)
        png = None
        if picture_id is not None:
            async with self.service.session_factory() as session:
                png = await sent_pictures.fetch(session, picture_id, now=now)
        if png is None:
            return PlainTextResponse("not found", status_code=404)
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})
