"""The one notification service: every in-app notification and notification e-mail goes
through here.

- ``notify(recipients=…, message=…, params=…, url=…)`` — called by the apps' services inside
  their transaction; after the commit (transaction.on_commit) it writes one Notification per
  recipient and queues the e-mail of the recipients who want each one
  (User.email_preference "each"). A rolled-back change notifies nobody.
- A notification stores a message id (a key of MESSAGES) and its parameters (JSON), and is
  rendered by ``render`` in the reader's language when shown: English mode shows English.
  Parameters named in a message's ``translate`` are msgids (labels such as a deadline kind)
  and are translated too; names of districts, enterprises and parcels are data and shown as
  stored.
- ``digest_sweep(today=…)`` — the daily digest (Celery beat): one e-mail per user whose
  preference is "digest" with the notifications not yet e-mailed, exactly once per user and
  day (landsupply.claims).
- Recipients: ``city_staff(jurisdiction_id)``, ``district_staff(district_ids)``,
  ``enterprise_users(enterprise_id)`` — the active users of that role, one query each.
"""

import datetime
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from landsupply import claims
from landsupply.models import Notification, User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """A notification text: title and body msgids with %(name)s parameters; `defaults` fill
    parameters added after rows were stored (so older rows still render)."""

    title: str
    body: str
    translate: tuple[str, ...] = ()
    defaults: tuple[tuple[str, str], ...] = ()


MESSAGES: dict[str, Message] = {
    # plans — adjustments (R7)
    "adjustment_filed": Message(
        N_("%(district)s 报送了计划调整申请 #%(number)s，待审批"),
        N_(
            "%(district)s 报送了 %(year)s 年度计划调整申请 #%(number)s，理由：%(reason)s。请审批（R7）。"
        ),
    ),
    "adjustment_approved": Message(
        N_("计划调整申请 #%(number)s 已批准"),
        N_("%(year)s 年度计划调整申请 #%(number)s 已由市级批准并纳入计划。%(comment)s"),
    ),
    "adjustment_rejected": Message(
        N_("计划调整申请 #%(number)s 被驳回"),
        N_("%(year)s 年度计划调整申请 #%(number)s 被市级驳回，审批意见：%(comment)s"),
    ),
    # plans — district submissions (R9)
    "submission_submitted": Message(
        N_("%(district)s 报送了 %(year)s 年度用地清单，待审核"),
        N_(
            "%(district)s 报送了 %(year)s 年度用地清单（%(count)s 宗地块，%(area)s 公顷）。请审核（R9）。"
        ),
    ),
    "submission_returned": Message(
        N_("%(year)s 年度用地清单被退回修改"),
        N_(
            "市级退回了 %(district)s 的 %(year)s 年度用地清单，意见：%(comment)s。请修改后重新报送（R9）。"
        ),
    ),
    "submission_accepted": Message(
        N_("%(year)s 年度用地清单已通过审核"),
        N_("市级已接受 %(district)s 的 %(year)s 年度用地清单。%(comment)s"),
    ),
    # plans — reminders (R6, R7)
    "adjustment_deadline": Message(
        N_("计划调整申请截止日 %(due)s（还有 %(days)s 天）"),
        N_(
            "%(year)s 年度供地计划的调整申请须在 %(due)s（含当日）前报送（R7，%(citation)s）。"
            "如需调整本区清单，请在截止日前提交。"
        ),
    ),
    "milestone_due": Message(
        N_("节点目标 %(due)s 将到期：本区完成 %(reached)s%%，要求 %(required)s%%"),
        N_(
            "%(year)s 年度供地计划的季度节点目标 %(due)s（还有 %(days)s 天）要求累计完成 %(required)s%%；"
            "%(district)s 截至 %(as_of)s 完成 %(reached)s%%，进度落后（R6）。"
        ),
    ),
    "milestone_missed": Message(
        N_("节点目标 %(due)s 未达成：%(scope)s 完成 %(reached)s%%"),
        N_(
            "%(year)s 年度供地计划的季度节点目标 %(due)s 要求累计完成 %(required)s%%，"
            "%(scope)s 实际完成 %(reached)s%%，未达成（R6）。"
        ),
        translate=("scope",),
    ),
    # assessments — lease-then-transfer contracts (R18–R23)
    "assessment_applied": Message(
        N_("合同 %(number)s 申请考核，待区级作出考核结论"),
        N_(
            "%(enterprise)s 就合同 %(number)s（地块 %(parcel)s）申请租赁期考核；"
            "须在租赁期届满（%(due)s）前完成考核并书面通知（R18）。"
        ),
    ),
    "assessment_decided": Message(
        N_("合同 %(number)s 考核结论：%(result)s"),
        N_(
            "合同 %(number)s（地块 %(parcel)s）的考核结论为“%(result)s”（书面通知 %(notice)s）。%(next)s"
        ),
        translate=("result", "next"),
    ),
    "transfer_applied": Message(
        N_("合同 %(number)s 申请签订出让合同"),
        N_(
            "%(enterprise)s 申请就合同 %(number)s（地块 %(parcel)s）签订出让合同；须在租赁期届满（%(due)s）前签订（R19）。"
        ),
    ),
    "transfer_signed": Message(
        N_("合同 %(number)s 的出让合同已签订"),
        N_("区级已登记出让合同 %(grant)s（签订日 %(signed)s）；请在 %(due)s 前缴纳地价款（R19）。"),
    ),
    "renewal_applied": Message(
        N_("合同 %(number)s 申请续租 %(years)s 年"),
        N_(
            "%(enterprise)s 申请就合同 %(number)s（地块 %(parcel)s）续租 %(years)s 年，理由：%(reason)s。请审批（R21）。"
        ),
    ),
    "renewal_decided": Message(
        N_("合同 %(number)s 续租申请：%(result)s"),
        N_("合同 %(number)s 的续租申请结果为“%(result)s”。%(reason)s"),
        translate=("result",),
    ),
    "exit_applied": Message(
        N_("合同 %(number)s 申请退出"),
        N_(
            "%(enterprise)s 申请于 %(exit_date)s 退出合同 %(number)s（地块 %(parcel)s），理由：%(reason)s。请办理（R23）。"
        ),
    ),
    "exit_completed": Message(
        N_("合同 %(number)s 已退出，土地收回"),
        N_("区级已办理合同 %(number)s 的退出与土地收回（退出日 %(exit_date)s）。"),
    ),
    "lease_reminder": Message(
        N_("【%(rule)s】%(number)s %(label)s：%(due)s（%(when)s）"),
        N_(
            "合同 %(number)s（地块 %(parcel)s，%(enterprise)s）的“%(label)s”日期为 %(due)s，依据规则 %(rule)s"
            "（%(source)s）。%(action)s"
        ),
        translate=("label", "when", "action"),
        # Rows stored before a parameter existed: the action they asked for, and the one rule
        # set there was then (Beijing's; the source is now the contract's rule set's name).
        defaults=(
            ("action", N_("请登录系统办理。")),
            ("source", "北京市工业用地先租后让指导意见（试行）"),
        ),
    ),
}

# Parameter values that are msgids themselves (translated when shown).
N_("全市计划")
N_("通过")
N_("未通过")
N_("批准")
N_("不批准")
N_("请在收到书面通知后规定期限内申请签订出让合同并缴纳地价款（R19）。")
N_("须在租赁期届满前退出，土地使用权由区收回（R20）。")
N_("已逾期")
# What a lease reminder asks: before the day, to act in the system; after it, nothing the holder
# can still file there (the pages show no form), so no contradictory "log in and act".
N_("请登录系统办理。")
N_("期限已过，系统中已不能再办理；区级将依规则处理，请留意区级通知。")


def render(notification: Notification) -> tuple[str, str]:
    """Return (title, body) of `notification` in the active language.

    A stored message id is rendered from MESSAGES with its parameters; a row without one (or
    with a parameter missing) shows its stored title and body.
    """
    spec = MESSAGES.get(notification.message_id)
    if spec is None:
        return notification.title, notification.body
    params = {**dict(spec.defaults), **(notification.params or {})}
    for key in spec.translate:
        value = params.get(key)
        if isinstance(value, str) and value:
            params[key] = gettext(value)
        elif isinstance(value, list):  # [msgid, {params}] for a parameter with parameters
            params[key] = gettext(value[0]) % value[1]
    try:
        return gettext(spec.title) % params, gettext(spec.body) % params
    except (KeyError, TypeError, ValueError):
        logger.warning("notification %s: parameters do not fit %s", notification.pk, spec)
        return notification.title or notification.message_id, notification.body


def city_staff(jurisdiction_id: int) -> QuerySet[User]:
    """The active city staff of a jurisdiction."""
    return User.objects.filter(is_active=True, role=User.Role.CITY, jurisdiction_id=jurisdiction_id)


def district_staff(district_ids) -> QuerySet[User]:
    """The active staff of the districts `district_ids` (one id or an iterable of ids)."""
    if isinstance(district_ids, int):
        district_ids = [district_ids]
    return User.objects.filter(
        is_active=True, role=User.Role.DISTRICT, district_id__in=list(district_ids)
    )


def enterprise_users(enterprise_id: int) -> QuerySet[User]:
    """The active users of an enterprise."""
    return User.objects.filter(
        is_active=True, role=User.Role.ENTERPRISE, enterprise_id=enterprise_id
    )


def notify(*, recipients, message: str, params: dict, url: str = "") -> None:
    """Notify `recipients` (users or a queryset of users) with `message` (a MESSAGES key) and
    its JSON-able `params`, linking to `url`, once the current transaction commits.

    Recipients are read now (inside the caller's transaction); the Notification rows are
    written after the commit and the e-mail of those who want each one is queued then
    (landsupply.tasks.notification_email_task). Raises KeyError for an unknown message id, so
    a typo fails in tests rather than showing nothing.
    """
    if message not in MESSAGES:
        raise KeyError(message)
    ids = sorted({u.pk for u in recipients})
    if ids:
        transaction.on_commit(partial(deliver, ids, message=message, params=params, url=url))


def deliver(
    recipient_ids: list[int], *, message: str, params: dict, url: str = ""
) -> list[Notification]:
    """Write the notifications now and queue the immediate e-mails; return the rows.

    The sweeps call this directly (they have claimed the job already); services call
    ``notify``.
    """
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient_id=pk, message_id=message, params=params, url=url)
            for pk in recipient_ids
        ]
    )
    each = set(
        User.objects.filter(pk__in=recipient_ids, email_preference=User.EmailPreference.EACH)
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    to_mail = [n.pk for n in rows if n.recipient_id in each]  # PostgreSQL and SQLite set pk
    if to_mail:
        transaction.on_commit(partial(_queue_email, to_mail))
    return rows


def _queue_email(notification_ids: list[int]) -> None:
    from landsupply.tasks import notification_email_task

    try:
        notification_email_task.delay(notification_ids)
    except Exception as exc:  # noqa: BLE001 - the broker is down: the in-app notice stands
        logger.warning("notification e-mail not queued (%s): %s", notification_ids, exc)


def _absolute(url: str) -> str:
    base = settings.LANDSUPPLY_SITE_URL.rstrip("/")
    return f"{base}{url}" if url and base else url


def email_each(notification_ids: list[int], *, connection=None) -> int:
    """Send the immediate e-mail of each notification in `notification_ids` not e-mailed yet,
    in the site's language; return how many were sent.

    Each notification is claimed by a conditional UPDATE of emailed_at (row count 1) before
    its e-mail goes out, so a task run twice sends nothing twice; a failed send clears the mark.
    """
    sent = 0
    rows = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
    rows = rows.select_related("recipient")
    connection = connection or get_connection()
    with translation.override(settings.LANGUAGE_CODE):
        for n in rows:
            if not n.recipient.email:
                continue
            if not Notification.objects.filter(pk=n.pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            ):
                continue
            title, body = render(n)
            if n.url:
                body = f"{body}\n\n{_absolute(n.url)}"
            try:
                connection.send_messages(
                    [EmailMessage(subject=title, body=body, to=[n.recipient.email])]
                )
            except Exception as exc:  # noqa: BLE001 - any transport error: try again later
                logger.warning("notification %s e-mail failed: %s", n.pk, exc)
                Notification.objects.filter(pk=n.pk).update(emailed_at=None)
                continue
            sent += 1
    return sent


def digest_sweep(*, today: datetime.date | None = None, connection=None) -> list[dict]:
    """Send the daily digest and return one dict per e-mail sent (user, count).

    For every active user whose preference is "digest", with an e-mail address and
    notifications not yet e-mailed: claim ``digest:<user>:<today>`` (landsupply.claims), send
    one e-mail listing them in the site's language, and mark them e-mailed. Run twice on a day,
    or in two workers, it sends each user one digest; a failed send releases the claim for the
    next run. Queries: two (the pending notifications, the claim), plus one per digest sent.
    """
    today = today or timezone.localdate()
    pending = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            recipient__is_active=True,
            recipient__email_preference=User.EmailPreference.DIGEST,
        )
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = {}
    for n in pending:
        by_user.setdefault(n.recipient_id, []).append(n)
    if not by_user:
        return []
    keys = {f"digest:{pk}:{today.isoformat()}": pk for pk in by_user}
    claimed = claims.claim(keys)
    connection = connection or get_connection()
    results = []
    with translation.override(settings.LANGUAGE_CODE):
        subject_msgid = N_("每日通知汇总（%(day)s，%(n)s 条）")
        for key in sorted(claimed):
            items = by_user[keys[key]]
            user = items[0].recipient
            lines = []
            for n in items:
                title, body = render(n)
                lines.append(f"• {title}\n  {body}\n  {_absolute(n.url)}".rstrip())
            subject = gettext(subject_msgid) % {"day": today.isoformat(), "n": len(items)}
            try:
                connection.send_messages(
                    [EmailMessage(subject=subject, body="\n\n".join(lines), to=[user.email])]
                )
            except Exception as exc:  # noqa: BLE001 - transport error: next run sends it
                logger.warning("digest for user %s failed: %s", user.pk, exc)
                claims.release([key])
                continue
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(
                emailed_at=timezone.now()
            )
            results.append({"user": user.username, "count": len(items)})
    return results
