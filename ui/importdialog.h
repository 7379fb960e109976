#pragma once

#include <QDialog>
#include <QString>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace ntt {

class BackgroundJob;

/**
 * Imports a folder or manifest into a study file's pool. The scan and the store run on a worker
 * thread with its own connection to the study file (importPool does the work); the dialog shows
 * progress, then the import report and the shortcut audit of the whole pool.
 */
class ImportDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit ImportDialog(const QString& studyFilePath, QWidget* parent = nullptr);
    ~ImportDialog() override;

    QLineEdit* locationEdit() const { return m_location; }
    QComboBox* layoutCombo() const { return m_layout; }
    QLineEdit* realSourceEdit() const { return m_realSource; }
    QPushButton* importButton() const { return m_import; }
    QString reportText() const;
    bool isImporting() const;

Q_SIGNALS:
    /// An import finished and was stored; `added` images are new in the pool.
    void imported(int added);

public Q_SLOTS:
    /// Cancels a running import (the dialog stays open), else closes the dialog.
    void reject() override;

private:
    void browseFolder();
    void browseManifest();
    void startImport();
    void setBusy(bool busy);
    void showReport(const QString& text, bool failed);

    QString m_studyFilePath;
    QLineEdit* m_location;
    QComboBox* m_layout;
    QLineEdit* m_realSource;
    QProgressBar* m_progress;
    QLabel* m_status;
    QPlainTextEdit* m_report;
    QPushButton* m_folderButton;
    QPushButton* m_manifestButton;
    QPushButton* m_import;
    QPushButton* m_cancel;
    BackgroundJob* m_job;
    bool m_cancelRequested = false;
};

} // namespace ntt
