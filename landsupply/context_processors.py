from landsupply.todo import todo_for_user


def navigation(request):
    """Unread notification count and to-do count for the top bar (logged-in users only): one
    query for the notifications and the to-do selectors' fixed number of queries, whatever the
    number of rows."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
        "todo_count": len(todo_for_user(user)),
    }
