"""Writes of the project package: notifications and the user's notification settings."""

from django.utils import timezone

from landsupply.models import User


def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread in-app notification of `user` as read now; return how many."""
    return user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())


def notification_mark_read(*, user: User, pk: int) -> int:
    """Mark the unread notification `pk` of `user` as read now; return 1, or 0 when it is not
    theirs or was read already (another user's notification is never touched)."""
    return user.notifications.filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())


def user_set_email_preference(*, user: User, preference: str) -> User:
    """Set how `user` gets notification e-mail (User.EmailPreference: each, digest, none) and
    return the user. Raises ValidationError for an unknown choice."""
    user.email_preference = preference
    user.full_clean(validate_unique=False, validate_constraints=False)
    User.objects.filter(pk=user.pk).update(email_preference=preference)
    return user
