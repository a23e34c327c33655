"""Write-matrix case of the message centre (tests/scoping/writes.py)."""
from tests.scoping.writes import Write


def _unread(world):
    from kechuang.inbox.models import Message
    from tests.scoping.test_write_matrix import matrix_users

    for user in matrix_users(world).values():
        Message.objects.create(recipient=user, title="待读消息", url="/")
    return {}


WRITES = {
    "inbox:read_all": Write.action("inbox.message.view", _unread),
}
