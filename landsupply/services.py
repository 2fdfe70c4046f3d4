"""Writes of the project package: notifications."""

from django.utils import timezone

from landsupply.models import User


def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread in-app notification of `user` as read now; return how many."""
    return user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())


def notification_mark_read(*, user: User, pk: int) -> int:
    """Mark the unread notification `pk` of `user` as read now; return 1, or 0 when it is not
    theirs or was read already (another user's notification is never touched)."""
    return user.notifications.filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())
