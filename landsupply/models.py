"""Who uses the system and where: jurisdictions, their rings and districts, enterprises, users.

A jurisdiction (城市) has rings (圈层, DOMAIN §D), districts (区) each with a default ring, and
one annual plan per year (plans app). Users have a role; district staff belong to a district,
enterprise users to an enterprise, city staff to a jurisdiction. The platform administrator is a
role of its own: it looks after the admin site and has no operational role, and it is the only
role that may be a superuser (superuser status never stands in for a role).
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from landsupply.storage import get_private_storage


class Jurisdiction(models.Model):
    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)

    class Meta:
        verbose_name = _("辖区（城市）")
        verbose_name_plural = _("辖区（城市）")
        ordering = ["id"]

    def __str__(self):
        return self.name


class Ring(models.Model):
    """A spatial tier (圈层). A ring may sit inside another (core area ⊂ central city, R3)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="rings", verbose_name=_("辖区")
    )
    code = models.SlugField(_("代码"), max_length=32)
    name = models.CharField(_("名称"), max_length=64)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("所属上级圈层"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("圈层")
        verbose_name_plural = _("圈层")
        ordering = ["jurisdiction", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "code"], name="ring_code_unique"),
        ]

    def __str__(self):
        return self.name


class District(models.Model):
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="districts", verbose_name=_("辖区")
    )
    code = models.SlugField(
        _("代码"), max_length=32, unique=True, help_text=_("全局唯一，例如 haidian")
    )
    name = models.CharField(_("名称"), max_length=64)
    default_ring = models.ForeignKey(
        Ring,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="districts",
        verbose_name=_("默认圈层"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("区")
        verbose_name_plural = _("区")
        ordering = ["jurisdiction", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="district_name_unique_in_jurisdiction"
            ),
        ]

    def __str__(self):
        return self.name


class Enterprise(models.Model):
    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["id"]

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """`createsuperuser` makes a platform administrator (the only role a superuser has)."""
        extra_fields.setdefault("role", User.Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    class Role(models.TextChoices):
        CITY = "city", _("市级工作人员")
        DISTRICT = "district", _("区级工作人员")
        ENTERPRISE = "enterprise", _("企业")
        ADMIN = "admin", _("平台管理员")

    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.CITY)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("辖区"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属区"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属企业"),
    )

    class EmailPreference(models.TextChoices):
        EACH = "each", _("每条通知即时发送邮件")
        DIGEST = "digest", _("每日汇总一封邮件")
        NONE = "none", _("不发送邮件（仅站内通知）")

    email_preference = models.CharField(
        _("邮件通知"),
        max_length=8,
        choices=EmailPreference.choices,
        default=EmailPreference.EACH,
        help_text=_("站内通知总会保留；此项只决定是否及如何另发邮件"),
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="district") | models.Q(district__isnull=False),
                name="district_user_has_district",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="enterprise") | models.Q(enterprise__isnull=False),
                name="enterprise_user_has_enterprise",
            ),
            models.CheckConstraint(
                condition=models.Q(is_superuser=False) | models.Q(role="admin"),
                name="superuser_is_platform_admin",
                violation_error_message=_("只有平台管理员可以是超级用户。"),
            ),
        ]

    def save(self, *args, **kwargs):
        if self.district_id and not self.jurisdiction_id:
            self.jurisdiction_id = self.district.jurisdiction_id
        super().save(*args, **kwargs)

    @property
    def is_city_staff(self) -> bool:
        return self.role == self.Role.CITY

    @property
    def is_district_staff(self) -> bool:
        return self.role == self.Role.DISTRICT

    @property
    def is_enterprise(self) -> bool:
        return self.role == self.Role.ENTERPRISE

    @property
    def is_platform_admin(self) -> bool:
        """True for the platform administrator: the whole admin site, no operational page."""
        return self.role == self.Role.ADMIN


class Notification(models.Model):
    """An in-app message to one user (workflow steps, reminders), written by landsupply.notify.

    The text is stored as a message id and its parameters and rendered in the reader's language
    when shown (`display_title`, `display_body`); `title`/`body` hold the text of rows written
    before message ids existed and are the fallback for an unknown id.
    """

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    message_id = models.CharField(_("消息类型"), max_length=64, blank=True)
    params = models.JSONField(_("消息参数"), default=dict, blank=True)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(
        _("邮件发送时间"), null=True, blank=True, help_text=_("即时邮件或每日汇总邮件发出的时间")
    )

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.display_title

    def get_absolute_url(self):
        return self.url or reverse("notifications")

    @property
    def display_title(self) -> str:
        """The title in the active language (landsupply.notify.render)."""
        from landsupply.notify import render

        return render(self)[0]

    @property
    def display_body(self) -> str:
        """The body in the active language (landsupply.notify.render)."""
        from landsupply.notify import render

        return render(self)[1]


class Claim(models.Model):
    """A job done once: the row with its unique key is the claim (landsupply.claims).

    Keys name the job and its instance, e.g. ``digest:17:2026-06-01`` or
    ``plan-deadline:3:2024-06-03:30:district:8``; inserting the key is claiming it, and only the
    statement that inserted the row does the job, so a sweep run twice, or in two workers at
    once, does nothing twice.
    """

    key = models.CharField(_("键"), max_length=200, unique=True)
    claimed_at = models.DateTimeField(_("认领时间"))

    class Meta:
        verbose_name = _("一次性任务认领")
        verbose_name_plural = _("一次性任务认领")
        ordering = ["-claimed_at", "-id"]

    def __str__(self):
        return self.key


class StoredFile(models.Model):
    """An uploaded file kept in the database, for LANDSUPPLY_STORAGE=database
    (landsupply.storage.DatabaseStorage): web servers and workers on separate machines then
    share nothing but the database."""

    name = models.CharField(_("文件名"), max_length=500, unique=True)
    content = models.BinaryField(_("内容"))
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    created_at = models.DateTimeField(_("保存时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("数据库中的文件")
        verbose_name_plural = _("数据库中的文件")

    def __str__(self):
        return self.name


class CalendarDay(models.Model):
    """A day whose working status is not the weekday rule's: a statutory holiday (法定节假日,
    a rest day even on a weekday) or a make-up working day (调休上班, a working day even on a
    weekend). Every other Saturday and Sunday is a rest day, every other weekday a working day.

    Seeded from the chinesecalendar package (landsupply.seed.seed_calendar); staff add a year in
    the admin when the State Council publishes its holiday arrangement (国务院办公厅关于××年部分
    节假日安排的通知). Deadlines use it through landsupply.workdays (民法典 第二百零三条).
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日（休息）")
        WORKDAY = "workday", _("调休上班日")

    day = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=64, blank=True, help_text=_("例如 春节、国庆节"))
    source = models.CharField(
        _("依据"), max_length=200, blank=True, help_text=_("国务院办公厅节假日安排通知的文号或标题")
    )

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class ExportJob(models.Model):
    """One large export written by a Celery worker (landsupply.export_jobs): who asked, what
    (a registered kind and the list page's filters), its progress and the finished file.

    The file is kept in private storage (landsupply.storage) and served only to the user who
    asked. queued → running → done | failed; done → expired. The worker writes `heartbeat_at`
    when it claims the job and with its progress; a job queued or running without one for
    EXPORT_JOB_TIMEOUT_MINUTES becomes failed (its worker died or never took it), and a finished
    file older than EXPORT_KEEP_DAYS is deleted from storage and the job becomes expired
    (landsupply.export_jobs.export_job_expire_stale, export_job_purge_old).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("已过期")

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV (.csv)"

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("申请人")
    )
    kind = models.CharField(_("导出内容"), max_length=32)
    file_format = models.CharField(_("格式"), max_length=8, choices=Format.choices)
    query = models.CharField(_("筛选条件"), max_length=2000, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已写入行数"), default=0)
    file = models.FileField(
        _("文件"), upload_to="exports/%Y/%m/", storage=get_private_storage, blank=True
    )
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(
        _("最近进展时间"),
        null=True,
        blank=True,
        help_text=_("生成文件的进程最近一次报告进度的时间"),
    )
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.filename or self.kind} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("export_job", args=[self.pk])

    @property
    def finished(self) -> bool:
        """Whether the job will change no more (done, failed or expired)."""
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def file_expires_at(self) -> datetime.datetime | None:
        """When the finished file is due for deletion (export_job_purge_old, within a beat
        interval after it): settings.EXPORT_KEEP_DAYS days after it was written; None for a
        job without a file."""
        if self.status != self.Status.DONE or self.finished_at is None:
            return None
        return self.finished_at + datetime.timedelta(days=settings.EXPORT_KEEP_DAYS)

    @property
    def percent(self) -> int:
        """Share of rows written so far, 0–100."""
        if self.status in (self.Status.DONE, self.Status.EXPIRED):
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.processed_rows * 100 // self.total_rows)
