#include "analysis/contactsheet.h"

#include "attention/camoverlay.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace ntt {
namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ContactSheet)
};

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr double kCaptionScale = 0.4;

/// `text` cut with "..." so that it fits `width` pixels.
std::string fitted(const QString& text, int width)
{
    const std::string full = asciiCaption(text).toStdString();
    int baseline = 0;
    auto fits
        = [&](const std::string& s) { return cv::getTextSize(s, kFont, kCaptionScale, 1, &baseline).width <= width; };
    if (fits(full))
        return full;
    for (std::size_t n = full.size(); n > 0; --n) {
        const std::string cut = full.substr(0, n - 1) + "...";
        if (fits(cut))
            return cut;
    }
    return {};
}

} // namespace

Result<cv::Mat> composeContactSheet(const std::vector<ContactSheetItem>& items, const ContactSheetLayout& layout)
{
    if (items.empty())
        return Error { Text::tr("the selection is empty: no contact sheet to make") };
    const int columns = std::clamp(std::min(layout.columns, int(items.size())), 1, 64);
    const int cell = std::clamp(layout.cell, 32, 1024);
    const int gap = 8;
    const int captionHeight = 34; // two lines
    const int titleHeight = layout.title.isEmpty() ? 0 : 32;
    const int rows = (int(items.size()) + columns - 1) / columns;
    const int width = gap + columns * (cell + gap);
    const int height = titleHeight + gap + rows * (cell + captionHeight + gap);
    cv::Mat sheet(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
    if (titleHeight > 0)
        cv::putText(sheet, fitted(layout.title, width - 2 * gap), cv::Point(gap, 22), kFont, 0.6, cv::Scalar(0, 0, 0),
            1, cv::LINE_AA);
    for (std::size_t i = 0; i < items.size(); ++i) {
        const int x = gap + int(i) % columns * (cell + gap);
        const int y = titleHeight + gap + int(i) / columns * (cell + captionHeight + gap);
        const cv::Mat& t = items[i].thumbnail;
        if (t.empty() || t.type() != CV_8UC3) {
            cv::rectangle(sheet, cv::Rect(x, y, cell, cell), cv::Scalar(200, 200, 200), cv::FILLED);
        } else {
            const double scale = double(cell) / std::max(t.cols, t.rows);
            cv::Mat fit;
            cv::resize(t, fit, cv::Size(std::max(1, int(t.cols * scale)), std::max(1, int(t.rows * scale))), 0, 0,
                scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
            fit.copyTo(sheet(cv::Rect(x + (cell - fit.cols) / 2, y + (cell - fit.rows) / 2, fit.cols, fit.rows)));
        }
        const QStringList lines = items[i].caption.split(QLatin1Char('\n'));
        for (int l = 0; l < std::min(2, int(lines.size())); ++l)
            cv::putText(sheet, fitted(lines[l], cell), cv::Point(x, y + cell + 13 + 16 * l), kFont, kCaptionScale,
                cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    }
    return sheet;
}

Status writeImagePdf(const cv::Mat& bgr8, const QString& path, double dpi)
{
    cv::Mat bgr = bgr8;
    if (!bgr8.empty() && bgr8.channels() == 4)
        cv::cvtColor(bgr8, bgr, cv::COLOR_BGRA2BGR);
    else if (!bgr8.empty() && bgr8.channels() == 1)
        cv::cvtColor(bgr8, bgr, cv::COLOR_GRAY2BGR);
    const auto jpeg = encodeImage(bgr, ImageEncoding::Jpeg, path);
    if (!jpeg)
        return Error { jpeg.error() };
    // A minimal PDF 1.4: catalogue, page tree, one page whose content draws one DCT-encoded image
    // over the whole page. Offsets of the objects go into the cross-reference table.
    const double points = 72.0 / std::max(dpi, 1.0);
    const QByteArray w = QByteArray::number(bgr.cols * points, 'f', 2);
    const QByteArray h = QByteArray::number(bgr.rows * points, 'f', 2);
    const QByteArray content = "q " + w + " 0 0 " + h + " 0 0 cm /Im0 Do Q\n";
    QByteArray pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    std::vector<qsizetype> offsets;
    auto object = [&](const QByteArray& body) {
        offsets.push_back(pdf.size());
        pdf += QByteArray::number(qsizetype(offsets.size())) + " 0 obj\n" + body + "\nendobj\n";
    };
    object("<< /Type /Catalog /Pages 2 0 R >>");
    object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + w + " " + h
        + "] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>");
    object("<< /Type /XObject /Subtype /Image /Width " + QByteArray::number(bgr.cols) + " /Height "
        + QByteArray::number(bgr.rows) + " /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length "
        + QByteArray::number(jpeg->size()) + " >>\nstream\n" + jpeg.value() + "\nendstream");
    object("<< /Length " + QByteArray::number(content.size()) + " >>\nstream\n" + content + "endstream");
    const qsizetype xref = pdf.size();
    pdf += "xref\n0 " + QByteArray::number(qsizetype(offsets.size() + 1)) + "\n0000000000 65535 f \n";
    for (qsizetype offset : offsets)
        pdf += QByteArray::number(offset).rightJustified(10, '0') + " 00000 n \n";
    pdf += "trailer\n<< /Size " + QByteArray::number(qsizetype(offsets.size() + 1)) + " /Root 1 0 R >>\nstartxref\n"
        + QByteArray::number(xref) + "\n%%EOF\n";
    return writeFileAtomically(pdf, path);
}

Status writeContactSheet(const cv::Mat& sheet, const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return writePng(sheet, path);
    if (suffix == QLatin1String("pdf"))
        return writeImagePdf(sheet, path);
    return Error { Text::tr("%1: a contact sheet is written as .png or .pdf, not .%2").arg(path, suffix) };
}

} // namespace ntt
