"""Scoping cases for the message centre: everyone reads only their own messages."""

from kechuang.inbox.models import Message
from tests.scoping.framework import Case


def _messages(world):
    own = Message.objects.create(recipient=world.clerk_a, title="甲的待办", url="/targets/report/")
    foreign = Message.objects.create(recipient=world.clerk_b, title="乙的待办", url="/targets/report/")
    return own, foreign


def _objects(world):
    own, foreign = _messages(world)
    return {"own": {"pk": own.pk}, "foreign": {"pk": foreign.pk},
            "unchanged": lambda: Message.objects.get(pk=foreign.pk).read_at is None}


def _listing(world):
    _messages(world)
    return {"own": "甲的待办", "foreign": "乙的待办"}


CASES = {
    "inbox:list": Case.listing(_listing),
    "inbox:open": Case.objects(_objects),
    "inbox:count": Case.global_(note="the signed-in user's own unread count"),
    "inbox:read_all": Case.global_(note="POST only; marks the user's own messages (the query is restricted)"),
}
