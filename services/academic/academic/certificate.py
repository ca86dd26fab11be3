"""The certificate PDF: Chinese text in reportlab's built-in CID font (no font file), the
verification code, and a QR code of the verify address. Pure: same input, same bytes."""
import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from .domain import KIND_EN, KIND_ZH

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

ISSUER_ZH = "教务处"
BODY_ZH = {
    "enrollment": "兹证明{name}（学号：{sid}）系我校全日制在读学生，学籍状态正常。",
    "status": "兹证明{name}（学号：{sid}）具有我校正式学籍，学籍信息以教务系统记载为准。",
    "transcript": "兹证明{name}（学号：{sid}）的成绩单由教务系统导出，内容真实有效，"
                  "各科成绩以教务系统记载为准。",
}


def _qr(value, size):
    widget = QrCodeWidget(value)
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def _wrap(text, width_chars):
    return [text[i:i + width_chars] for i in range(0, len(text), width_chars)]


def render_certificate(kind, student_name, student_id, purpose, code, issued_at, verify_url):
    """The PDF bytes of one certificate (A4, one page)."""
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=1)
    pdf.setTitle(f"{KIND_ZH[kind]} {code}")
    pdf.setAuthor(ISSUER_ZH)
    width, height = A4
    pdf.setFont(FONT, 26)
    pdf.drawCentredString(width / 2, height - 40 * mm, KIND_ZH[kind])
    pdf.setFont(FONT, 11)
    pdf.drawCentredString(width / 2, height - 48 * mm, KIND_EN[kind])

    pdf.setFont(FONT, 14)
    y = height - 70 * mm
    body = BODY_ZH[kind].format(name=student_name, sid=student_id)
    for line in _wrap(body, 30) + _wrap(f"本证明用于：{purpose}。", 30) + ["特此证明。"]:
        pdf.drawString(25 * mm, y, line)
        y -= 9 * mm

    pdf.drawRightString(width - 25 * mm, y - 20 * mm, f"{ISSUER_ZH}（盖章）")
    pdf.drawRightString(width - 25 * mm, y - 30 * mm,
                        f"{issued_at.year}年{issued_at.month}月{issued_at.day}日")

    renderPDF.draw(_qr(verify_url, 35 * mm), pdf, 25 * mm, 30 * mm)
    pdf.setFont(FONT, 11)
    pdf.drawString(65 * mm, 55 * mm, f"验证码 Verification code：{code}")
    pdf.drawString(65 * mm, 47 * mm, f"核验地址：{verify_url}")
    pdf.drawString(65 * mm, 39 * mm, "扫描二维码或输入验证码即可核验本证明真伪。")
    pdf.drawString(65 * mm, 31 * mm, "Scan the QR code or enter the code to check it.")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
