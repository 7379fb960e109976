#include <QtTest>

class Test_sessioncrash : public QObject {
    Q_OBJECT
};

QTEST_GUILESS_MAIN(Test_sessioncrash)
#include "tst_sessioncrash.moc"
