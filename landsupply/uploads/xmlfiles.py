"""XML (worksheet parts, KML): parsed by expat as a stream, a DTD refused, so no entity is
expanded and nothing external is fetched."""

from xml.parsers import expat

from django.utils.translation import gettext as _

from landsupply.uploads.base import CHUNK, UploadRejected, binary_source


def _refuse_dtd(name: str):
    def refuse(*args):
        raise UploadRejected(
            _("文件「%(name)s」含有 XML 文档类型声明（DTD），出于安全原因不予处理。")
            % {"name": name},
            code="dtd",
        )

    return refuse


def xml_parser(name: str, start=None, end=None):
    """Return an expat parser (attributes as [name, value, …]) with the element handlers given
    that raises UploadRejected (code "dtd", naming the file `name`) at any DTD, so no entity is
    expanded and nothing external is fetched."""
    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    refuse = _refuse_dtd(name)
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def check_xml(source, *, name: str) -> None:
    """Check that `source` (a path or a file) is well-formed XML without a DTD, reading it in
    CHUNK steps (no tree is built, memory stays bounded whatever its size).

    Raises UploadRejected naming the file: code "dtd" for a document type declaration (entity
    bombs, external entities), "bad_xml" with expat's reason for anything not well-formed.
    """
    parser = xml_parser(name)
    with binary_source(source) as handle:
        try:
            while chunk := handle.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise UploadRejected(
                _("文件「%(name)s」不是有效的 XML（%(reason)s）。")
                % {"name": name, "reason": expat.ErrorString(exc.code)},
                code="bad_xml",
            ) from None
