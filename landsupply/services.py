"""Writes of the project package: notifications."""

from django.utils import timezone

from landsupply.models import User


def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread in-app notification of `user` as read now; return how many."""
    return user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
